namespace MigrationCluster.Memory;

/// <summary>The vmstat counters migration keeps, under the kernel's names (/proc/vmstat).</summary>
public sealed class VmStat
{
    public const string PgmigrateSuccessName = "pgmigrate_success";
    public const string PgmigrateFailName = "pgmigrate_fail";
    public const string NumaPagesMigratedName = "numa_pages_migrated";
    public const string PgfaultName = "pgfault";

    public long PgmigrateSuccess { get; set; }

    public long PgmigrateFail { get; set; }

    public long NumaPagesMigrated { get; set; }

    public long Pgfault { get; set; }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        [PgmigrateSuccessName] = PgmigrateSuccess,
        [PgmigrateFailName] = PgmigrateFail,
        [NumaPagesMigratedName] = NumaPagesMigrated,
        [PgfaultName] = Pgfault,
    };
}
