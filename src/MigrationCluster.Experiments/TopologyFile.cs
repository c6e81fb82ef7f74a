using MigrationCluster.Hosting;
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
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read the topology file ({exception.Message})", exception);
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
}
