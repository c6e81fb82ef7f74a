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
    IReadOnlyList<ScenarioCall> Calls)
{
    /// <summary>The MPOL_WEIGHTED_INTERLEAVE weights by node id (/sys/kernel/mm/mempolicy/weighted_interleave/nodeN); empty: all 1.</summary>
    public IReadOnlyList<int> InterleaveWeights { get; init; } = [];

    /// <summary>/proc/sys/vm/compact_unevictable_allowed: whether compaction (the `migrate` call) may isolate unevictable (mlocked) pages; the kernel's default is 1.</summary>
    public bool CompactUnevictableAllowed { get; init; } = true;

    /// <summary>The topology file the scenario names (<c>topology:</c>), or null: an input its result may not overwrite.</summary>
    public string? TopologyFile { get; init; }
}


/// <summary>
/// A process (address space); its id is its position in the file. <see cref="Cpuset"/> is its
/// cpuset's memory nodes (null: the root cpuset, every node).
/// </summary>
public sealed record ScenarioProcess(string Name, int Id, int HomeNode, bool Privileged, IReadOnlyList<int>? Cpuset = null)
{
    /// <summary>The process exits after the setup, before the first call.</summary>
    public bool Exited { get; init; }

    /// <summary>With <see cref="Exited"/>: its parent has not reaped it (a zombie).</summary>
    public bool Zombie { get; init; }

    /// <summary>Its task policy, set with set_mempolicy(2) before the regions are mapped (as numactl does before exec); null: none.</summary>
    public ScenarioPolicyArgs? Policy { get; init; }

    /// <summary>The line of <see cref="Policy"/> in the file, for a policy set_mempolicy refuses.</summary>
    public int PolicyLine { get; init; }
}



/// <summary>
/// The raw arguments of a policy call as a user passes them: the mode word (mode | mode flags),
/// the set bits of the nodemask (null: a NULL pointer) and maxnode.
/// </summary>
public sealed record ScenarioPolicyArgs(int Mode, IReadOnlyList<int>? Nodes, long Maxnode);
