namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// Read-only views of a NUMA node, for monitoring (the dashboard, the syscalls' free-page count),
/// tests and the invariant check. None of them changes the node.
/// </summary>
[Alias("mc.INumaNodeInspectionGrain")]
public interface INumaNodeInspectionGrain : IGrainWithIntegerKey
{
    [ReadOnly]
    [Alias("GetStatus")]
    Task<NodeStatus> GetStatus();

    [ReadOnly]
    [Alias("SnapshotFrames")]
    Task<FrameSnapshot[]> SnapshotFrames();

    /// <summary>The whole node for the invariant check: counts, and every frame that is not a plain free frame.</summary>
    [ReadOnly]
    [Alias("SnapshotNode")]
    Task<NodeSnapshot> SnapshotNode();

    /// <summary>The vm events counted on this node's folios (splits, deferred-split queueing), by their vmstat and per-size stat names.</summary>
    [ReadOnly]
    [Alias("GetVmStat")]
    Task<IReadOnlyDictionary<string, long>> GetVmStat();
}
