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
    public const string ThpMigrationSuccessName = "thp_migration_success";
    public const string ThpMigrationFailName = "thp_migration_fail";
    public const string ThpMigrationSplitName = "thp_migration_split";
    public const string ThpFaultAllocName = "thp_fault_alloc";
    public const string ThpFaultFallbackName = "thp_fault_fallback";

    /// <summary>The per-size mTHP counters kept (/sys/kernel/mm/transparent_hugepage/hugepages-&lt;size&gt;kB/stats/).</summary>
    public const string MthpAnonFaultAllocName = "anon_fault_alloc";
    public const string MthpAnonFaultFallbackName = "anon_fault_fallback";

    private readonly long[] _mthpAnonFaultAlloc = new long[Nodes.NodeMemory.MaxFolioOrder + 1];
    private readonly long[] _mthpAnonFaultFallback = new long[Nodes.NodeMemory.MaxFolioOrder + 1];

    public long PgmigrateSuccess { get; private set; }

    public long PgmigrateFail { get; private set; }

    public long NumaPagesMigrated { get; private set; }

    public long Pgfault { get; private set; }

    public long ThpMigrationSuccess { get; private set; }

    public long ThpMigrationFail { get; private set; }

    public long ThpMigrationSplit { get; private set; }

    public long ThpFaultAlloc { get; private set; }

    public long ThpFaultFallback { get; private set; }

    /// <summary>
    /// A fault that asked for a folio of <paramref name="order"/> (above 0): it got one, or fell
    /// back to a base page. Counted per size (mTHP stats), and as thp_fault_* for a PMD-sized one.
    /// </summary>
    public void CountFolioFault(int order, bool allocated, int pmdOrder)
    {
        (allocated ? _mthpAnonFaultAlloc : _mthpAnonFaultFallback)[order]++;
        if (order == pmdOrder)
        {
            if (allocated)
            {
                ThpFaultAlloc++;
            }
            else
            {
                ThpFaultFallback++;
            }
        }
    }

    /// <summary>The per-size mTHP stats by order: anon_fault_alloc and anon_fault_fallback.</summary>
    public (long AnonFaultAlloc, long AnonFaultFallback) Mthp(int order) => (_mthpAnonFaultAlloc[order], _mthpAnonFaultFallback[order]);

    /// <summary>count_vm_event(PGFAULT).</summary>
    public void CountPgfault() => Pgfault++;

    /// <summary>The events of one finished migrate_pages() call.</summary>
    public void Count(MigrationVmEvents events)
    {
        PgmigrateSuccess += events.PgmigrateSuccess;
        PgmigrateFail += events.PgmigrateFail;
        NumaPagesMigrated += events.NumaPagesMigrated;
        ThpMigrationSuccess += events.ThpMigrationSuccess;
        ThpMigrationFail += events.ThpMigrationFail;
        ThpMigrationSplit += events.ThpMigrationSplit;
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        [PgmigrateSuccessName] = PgmigrateSuccess,
        [PgmigrateFailName] = PgmigrateFail,
        [NumaPagesMigratedName] = NumaPagesMigrated,
        [PgfaultName] = Pgfault,
        [ThpMigrationSuccessName] = ThpMigrationSuccess,
        [ThpMigrationFailName] = ThpMigrationFail,
        [ThpMigrationSplitName] = ThpMigrationSplit,
        [ThpFaultAllocName] = ThpFaultAlloc,
        [ThpFaultFallbackName] = ThpFaultFallback,
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
