using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory;

/// <summary>How an access by a task ended.</summary>
public enum AccessStatus
{
    /// <summary>The access completed (after a fault if the page was not present).</summary>
    Done,

    /// <summary>
    /// The task hit a migration entry or a locked page and now waits in that page's lock queue
    /// (<see cref="AccessResult.Waiter"/>); it redoes the access once unlock_page wakes it.
    /// </summary>
    Wait,

    /// <summary>The access cannot be done: <see cref="AccessResult.Errno"/> says why (-EFAULT, -ENOMEM, -EACCES).</summary>
    Error,
}

/// <summary>The outcome of one read, write, pin or fault, with the page it reached and its simulated latency.</summary>
public readonly record struct AccessResult(AccessStatus Status, PageRef Page, ulong Contents, double LatencyNs, int Errno, PageLockWaiter Waiter)
{
    public static AccessResult Fail(int errno) => new(AccessStatus.Error, PageRef.None, 0, 0, errno, default);
}
