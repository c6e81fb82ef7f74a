using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// Runs the kernel's migrate_pages() protocol across NUMA node and address space grains, one step
/// at a time in the order of the step table, and traces every step.
/// </summary>
[Alias("mc.IMigrationCoordinatorGrain")]
public interface IMigrationCoordinatorGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Isolates each page from its node's LRU (a page that cannot be isolated fails with -EBUSY),
    /// then migrates the isolated ones to their target nodes. The coordinator only reads
    /// <paramref name="requests"/>, and the caller must not change the array while the call runs:
    /// a caller on the same silo hands it over without a copy. A caller that cancels
    /// <paramref name="cancellation"/> (Orleans carries it to the coordinator) ends a paced call's
    /// wait at once; the call then fails.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    [Alias("MigratePages")]
    Task<MigrationRunResult> MigratePages([Immutable] MigrationRequest[] requests, MigrateMode mode, MigrateReason reason, CancellationToken cancellation = default);

    /// <summary>
    /// migrate_pages() on pages the caller has already isolated (the syscalls do, page by page),
    /// in the caller's order.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    [Alias("MigrateIsolatedPages")]
    Task<MigrationRunResult> MigrateIsolatedPages([Immutable] MigrationRequest[] requests, MigrateMode mode, MigrateReason reason);
}
