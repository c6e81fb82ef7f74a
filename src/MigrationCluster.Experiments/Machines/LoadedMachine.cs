using MigrationCluster.Hosting;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Experiments.Machines;

/// <summary>A machine read from a file or a preset, with where it came from (for one-line messages).</summary>
public sealed record LoadedMachine(MachineProfile Profile, string Source, int NodesLine)
{
    /// <summary>The file it was read from; null for a preset.</summary>
    public string? FilePath { get; init; }

    /// <summary>Refuses a node count from elsewhere (<c>--nodes</c>, <c>--topology</c>) that disagrees with the machine's.</summary>
    public void RequireNodes(int nodes, string what)
    {
        if (nodes != Profile.Nodes)
        {
            throw new UsageException($"{Source}:{NodesLine}: the machine has {Profile.Nodes} nodes but {what} has {nodes}");
        }
    }
}
