namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// One NUMA node (key: node id): its page frames, free list, LRU lists and page locks. Each caller
/// takes the role it needs, all served by the one <see cref="NumaNodeGrain"/> of that key: tasks
/// <see cref="INumaNodeAccessGrain"/>, the syscalls <see cref="INumaNodeSyscallGrain"/>, the
/// migration coordinator <see cref="INumaNodeMigrationGrain"/>, monitoring and the invariant check
/// <see cref="INumaNodeInspectionGrain"/>. This interface is all of them, plus the set-up of a
/// machine (an experiment, a scenario, a benchmark, a test).
/// </summary>
[Alias("mc.INumaNodeGrain")]
public interface INumaNodeGrain : INumaNodeAccessGrain, INumaNodeSyscallGrain, INumaNodeMigrationGrain, INumaNodeInspectionGrain
{
    [Alias("Configure")]
    Task Configure(NodeConfiguration configuration);

    /// <summary>Marks a page under writeback and/or dirty (a scenario's set-up).</summary>
    [Alias("SetPageState")]
    Task SetPageState(long pfn, bool writeback, bool dirty);
}
