using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Scenarios;

/// <summary>A parsed and checked scenario: a machine, processes with pages in given states, and calls to make.</summary>
public sealed record ScenarioDefinition(
    string Name,
    NumaTopology Topology,
    int FramesPerNode,
    IReadOnlyList<ScenarioProcess> Processes,
    IReadOnlyList<ScenarioRegion> Regions,
    IReadOnlyList<ScenarioPageSetup> Setups,
    IReadOnlyList<ScenarioCall> Calls);


/// <summary>
/// A process (address space); its id is its position in the file. <see cref="Cpuset"/> is its
/// cpuset's memory nodes (null: the root cpuset, every node).
/// </summary>
public sealed record ScenarioProcess(string Name, int Id, int HomeNode, bool Privileged, IReadOnlyList<int>? Cpuset = null)
{
    /// <summary>The process exits after the setup, before the first call.</summary>
    public bool Exited { get; init; }
}

