using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Memory;

/// <summary>
/// The vmstat counters the model keeps, under the kernel's names (/proc/vmstat). They change only
/// where the kernel counts them: a page fault (<see cref="CountPgfault"/>), and the end of a
/// migrate_pages() call (<see cref="Count"/> with the call's <see cref="MigrationVmEvents"/>).
/// </summary>
public sealed class VmStat
{
    public const string PgmigrateSuccessName = "pgmigrate_success";
    public const string PgmigrateFailName = "pgmigrate_fail";
    public const string NumaPagesMigratedName = "numa_pages_migrated";
    public const string PgfaultName = "pgfault";

    public long PgmigrateSuccess { get; private set; }

    public long PgmigrateFail { get; private set; }

    public long NumaPagesMigrated { get; private set; }

    public long Pgfault { get; private set; }

    /// <summary>count_vm_event(PGFAULT).</summary>
    public void CountPgfault() => Pgfault++;

    /// <summary>The events of one finished migrate_pages() call.</summary>
    public void Count(MigrationVmEvents events)
    {
        PgmigrateSuccess += events.PgmigrateSuccess;
        PgmigrateFail += events.PgmigrateFail;
        NumaPagesMigrated += events.NumaPagesMigrated;
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        [PgmigrateSuccessName] = PgmigrateSuccess,
        [PgmigrateFailName] = PgmigrateFail,
        [NumaPagesMigratedName] = NumaPagesMigrated,
        [PgfaultName] = Pgfault,
    };

    /// <summary>Counters kept apart (one per process, say) summed by name, as the machine's /proc/vmstat.</summary>
    public static IReadOnlyDictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var total = new Dictionary<string, long>();
        foreach (var part in parts)
        {
            foreach (var (name, value) in part)
            {
                total[name] = total.GetValueOrDefault(name) + value;
            }
        }
        return total;
    }
}
