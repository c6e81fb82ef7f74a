using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>One page to migrate: an isolated page and the node it goes to.</summary>
public readonly record struct MigrationRequest(PageRef Page, int TargetNode);

/// <summary>
/// What migrate_pages returns and counts: <see cref="ReturnValue"/> is the number of pages not
/// migrated, or -ENOMEM; per page, 0 or the errno it failed with, and the new page; and the vm
/// events the call counted at its end (<see cref="VmEvents"/>), for whoever keeps the counters.
/// </summary>
public sealed record MigrateResult(
    int ReturnValue,
    int Succeeded,
    int Failed,
    int Passes,
    MigrateMode Mode,
    MigrateReason Reason,
    IReadOnlyList<int> PageErrno,
    IReadOnlyList<PageRef> NewPages,
    MigrationVmEvents VmEvents)
{
    /// <summary>The call's simulated duration in nanoseconds (its steps back to back on one simulated CPU); 0 without a clock.</summary>
    public long SimulatedNs { get; init; }
}
