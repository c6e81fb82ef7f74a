namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The vm events one migrate_pages() call counts, once, at its end (mm/migrate.c:
/// count_vm_events(PGMIGRATE_SUCCESS, ...), count_vm_events(PGMIGRATE_FAIL, ...), and
/// NUMA_PAGE_MIGRATE for a call made by NUMA balancing). <see cref="MigrationProtocol"/> makes it;
/// whoever keeps counters adds it from the call's <see cref="MigrateResult"/> and counts nothing
/// itself. Pages that failed before migrate_pages (isolation) are not in it, as in the kernel.
/// </summary>
public readonly record struct MigrationVmEvents(
    long PgmigrateSuccess,
    long PgmigrateFail,
    long NumaPagesMigrated,
    long ThpMigrationSuccess = 0,
    long ThpMigrationFail = 0,
    long ThpMigrationSplit = 0)
{
    /// <summary>The events of a call that migrated <paramref name="succeeded"/> base pages and failed <paramref name="failed"/>.</summary>
    public static MigrationVmEvents Of(long succeeded, long failed, MigrateReason reason) =>
        new(succeeded, failed, reason == MigrateReason.NumaMisplaced ? succeeded : 0);

    public static MigrationVmEvents operator +(MigrationVmEvents a, MigrationVmEvents b) =>
        new(
            a.PgmigrateSuccess + b.PgmigrateSuccess,
            a.PgmigrateFail + b.PgmigrateFail,
            a.NumaPagesMigrated + b.NumaPagesMigrated,
            a.ThpMigrationSuccess + b.ThpMigrationSuccess,
            a.ThpMigrationFail + b.ThpMigrationFail,
            a.ThpMigrationSplit + b.ThpMigrationSplit);

    public static MigrationVmEvents Add(MigrationVmEvents left, MigrationVmEvents right) => left + right;

    /// <summary>By their /proc/vmstat names.</summary>
    public IReadOnlyDictionary<string, long> ToDictionary() => new Dictionary<string, long>
    {
        [VmStat.PgmigrateSuccessName] = PgmigrateSuccess,
        [VmStat.PgmigrateFailName] = PgmigrateFail,
        [VmStat.NumaPagesMigratedName] = NumaPagesMigrated,
        [VmStat.ThpMigrationSuccessName] = ThpMigrationSuccess,
        [VmStat.ThpMigrationFailName] = ThpMigrationFail,
        [VmStat.ThpMigrationSplitName] = ThpMigrationSplit,
    };
}
