using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Memory.Nodes;

/// <summary>Who waits in a page lock's FIFO queue.</summary>
public enum WaiterKind
{
    /// <summary>A task that faulted on a migration entry or a locked page: it redoes its access.</summary>
    Fault,

    /// <summary>A sync-mode migration that found the page locked: it retries on its next pass.</summary>
    Migration,

    /// <summary>A truncation that found the page locked.</summary>
    Truncate,
}

/// <summary>One entry of a page lock's wait queue, as data (no threads): woken in FIFO order by unlock_page.</summary>
public readonly record struct PageLockWaiter(long Id, WaiterKind Kind, PteRef Pte, bool Write);
