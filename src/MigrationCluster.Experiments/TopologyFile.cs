using System.Globalization;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Experiments;

/// <summary>A machine's topology from a file: <c>numactl --hardware</c> output or sysfs node distances.</summary>
public static class TopologyFile
{
    /// <summary>
    /// Reads and parses <paramref name="path"/> as <see cref="NumaTopology.Parse"/> does (any
    /// form people paste). Problems are a <see cref="UsageException"/> naming the file (and the
    /// line, from the parser).
    /// </summary>
    public static NumaTopology Load(string path, IReadOnlyList<int>? nodeIds = null)
    {
        string text;
        try
        {
            text = InputFile.ReadAllText(path, "topology file", InputFile.MaxTopologyBytes);
        }
        catch (UnusablePathException exception)
        {
            throw new UsageException(exception.Message, exception);
        }

        try
        {
            return NumaTopology.Parse(text, nodeIds);
        }
        catch (TopologyFormatException exception)
        {
            throw new UsageException($"{path}: {exception.Message}", exception);
        }
    }

    /// <summary>"0,1,4,5" or "0-1,4-5": node ids as the kernel's node lists print them.</summary>
    public static IReadOnlyList<int> ParseNodeIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] bounds = part.Split('-', 2, StringSplitOptions.TrimEntries);
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)
                || last < first || last >= NumaTopology.MaxNumNodes)
            {
                throw new UsageException($"--node-ids: expected ids 0..{NumaTopology.MaxNumNodes - 1} as a list such as 0,1,4,5 or 0-1,4-5, got '{part}'");
            }

            ids.AddRange(Enumerable.Range(first, last - first + 1));
        }

        if (ids.Distinct().Count() != ids.Count)
        {
            throw new UsageException($"--node-ids: '{text}' names a node twice");
        }

        return ids;
    }
}
