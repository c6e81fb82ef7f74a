using MigrationCluster.Hosting;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Experiments;

/// <summary>
/// The machine shape of a sweep: a generated SLIT (ring, sockets or mesh, for any node count from
/// <see cref="SlitGenerator"/>) or one machine read from a <c>numactl --hardware</c> or sysfs file,
/// which fixes the node count.
/// </summary>
public sealed class ExperimentTopology
{
    private readonly NumaTopology? _file;

    private ExperimentTopology(string name, SlitShape? shape, NumaTopology? file, string? path)
    {
        Name = name;
        Shape = shape;
        _file = file;
        FilePath = path;
    }

    /// <summary>ring, sockets, mesh, or the file's name.</summary>
    public string Name { get; }

    public SlitShape? Shape { get; }

    public string? FilePath { get; }

    /// <summary>The file's node count; null for a generated shape.</summary>
    public int? FixedNodes => _file?.NodeCount;

    public static ExperimentTopology Generated(SlitShape shape) => new(NameOf(shape), shape, null, null);

    /// <summary><c>--topology</c>: ring, sockets, mesh or a file; bad input throws <see cref="UsageException"/>.</summary>
    public static ExperimentTopology Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (value.Trim().ToLowerInvariant())
        {
            case "ring":
                return Generated(SlitShape.Ring);
            case "sockets":
                return Generated(SlitShape.Sockets);
            case "mesh":
                return Generated(SlitShape.Mesh);
        }
        if (!File.Exists(value))
        {
            throw new UsageException($"--topology must be ring, sockets, mesh or a topology file (no such file '{value}')");
        }
        var topology = TopologyFile.Load(value);
        if (topology.NodeCount < ExperimentOptions.MinNodes)
        {
            throw new UsageException($"--topology {value}: an experiment needs at least {ExperimentOptions.MinNodes} nodes (the file has {topology.NodeCount})");
        }
        return new ExperimentTopology(Path.GetFileName(value), null, topology, Path.GetFullPath(value));
    }

    /// <summary>The machine of <paramref name="nodes"/> nodes.</summary>
    public NumaTopology For(int nodes)
    {
        if (_file is not null)
        {
            if (nodes != _file.NodeCount)
            {
                throw new UsageException($"--topology {Name} has {_file.NodeCount} nodes, not {nodes}");
            }
            return _file;
        }
        return SlitGenerator.Generate(Shape!.Value, nodes);
    }

    /// <summary>The SLIT distance matrix of <paramref name="nodes"/> nodes, as an experiment spec takes it.</summary>
    public int[][] Distances(int nodes) => TopologyMatrix.From(For(nodes));

    private static string NameOf(SlitShape shape) => shape switch
    {
        SlitShape.Ring => "ring",
        SlitShape.Sockets => "sockets",
        _ => "mesh",
    };
}
