namespace MigrationCluster.Memory.Nodes;

/// <summary>What <see cref="NodeMemory.IsolateForMigration"/> did with a page.</summary>
public enum IsolateResult
{
    /// <summary>Off its LRU list, with the isolation reference: queued for migration.</summary>
    Isolated = 0,

    /// <summary>Mapped by other processes and MPOL_MF_MOVE_ALL not given: left where it is.</summary>
    Shared = 1,

    /// <summary>Could not be isolated (not on an LRU list: already isolated, or freed).</summary>
    Busy = 2,
}
