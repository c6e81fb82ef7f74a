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
    /// then migrates the isolated ones to their target nodes.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<MigrationRunResult> MigratePages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason);

    /// <summary>
    /// migrate_pages() on pages the caller has already isolated (the syscalls do, page by page),
    /// in the caller's order.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<MigrationRunResult> MigrateIsolatedPages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason);
}
