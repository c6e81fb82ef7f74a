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
    public const string ThpSplitPageName = "thp_split_page";
    public const string ThpSplitPageFailedName = "thp_split_page_failed";
    public const string ThpDeferredSplitPageName = "thp_deferred_split_page";

    /// <summary>The per-size mTHP counters kept (/sys/kernel/mm/transparent_hugepage/hugepages-&lt;size&gt;kB/stats/).</summary>
    public const string MthpAnonFaultAllocName = "anon_fault_alloc";
    public const string MthpAnonFaultFallbackName = "anon_fault_fallback";
    public const string MthpSplitName = "split";
    public const string MthpSplitFailedName = "split_failed";
    public const string MthpSplitDeferredName = "split_deferred";

    /// <summary>The smallest order with per-size stats: anonymous mTHP starts at order 2 (16 KiB).</summary>
    public const int MinMthpOrder = 2;

    private static readonly string[] MthpStatNames = [MthpAnonFaultAllocName, MthpAnonFaultFallbackName, MthpSplitName, MthpSplitFailedName, MthpSplitDeferredName];

    private readonly long[] _mthpAnonFaultAlloc = new long[Nodes.NodeMemory.MaxFolioOrder + 1];
    private readonly long[] _mthpAnonFaultFallback = new long[Nodes.NodeMemory.MaxFolioOrder + 1];
    private readonly long[] _mthpSplit = new long[Nodes.NodeMemory.MaxFolioOrder + 1];
    private readonly long[] _mthpSplitFailed = new long[Nodes.NodeMemory.MaxFolioOrder + 1];
    private readonly long[] _mthpSplitDeferred = new long[Nodes.NodeMemory.MaxFolioOrder + 1];

    public long PgmigrateSuccess { get; private set; }

    public long PgmigrateFail { get; private set; }

    public long NumaPagesMigrated { get; private set; }

    public long Pgfault { get; private set; }

    public long ThpMigrationSuccess { get; private set; }

    public long ThpMigrationFail { get; private set; }

    public long ThpMigrationSplit { get; private set; }

    public long ThpFaultAlloc { get; private set; }

    public long ThpFaultFallback { get; private set; }

    /// <summary>PMD-sized folios split (split_huge_page_to_list_to_order succeeded).</summary>
    public long ThpSplitPage { get; private set; }

    /// <summary>PMD-sized folios a split was tried on and refused (can_split_folio: an extra pin).</summary>
    public long ThpSplitPageFailed { get; private set; }

    /// <summary>PMD-sized folios that became partially mapped and joined the deferred-split list.</summary>
    public long ThpDeferredSplitPage { get; private set; }

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

    /// <summary>The per-size split stats by order: split, split_failed and split_deferred (Linux 6.11+).</summary>
    public (long Split, long SplitFailed, long SplitDeferred) MthpSplit(int order) => (_mthpSplit[order], _mthpSplitFailed[order], _mthpSplitDeferred[order]);

    /// <summary>
    /// The end of split_huge_page_to_list_to_order on a folio of <paramref name="order"/>:
    /// thp_split_page(_failed) for a PMD-sized one, the per-size split or split_failed for any.
    /// </summary>
    public void CountSplit(int order, bool split, int pmdOrder)
    {
        (split ? _mthpSplit : _mthpSplitFailed)[order]++;
        if (order == pmdOrder)
        {
            if (split)
            {
                ThpSplitPage++;
            }
            else
            {
                ThpSplitPageFailed++;
            }
        }
    }

    /// <summary>deferred_split_folio(folio, partially_mapped: true) on a folio not yet flagged.</summary>
    public void CountDeferredSplit(int order, int pmdOrder)
    {
        _mthpSplitDeferred[order]++;
        ThpDeferredSplitPage += order == pmdOrder ? 1 : 0;
    }

    /// <summary>
    /// The key of a per-size stat in <see cref="Snapshot"/>: its sysfs path under
    /// /sys/kernel/mm/transparent_hugepage/, the size in kB with 4 KiB base pages.
    /// </summary>
    public static string MthpStatName(int order, string stat) =>
        $"hugepages-{(Pages.FolioSizes.DefaultBasePageBytes << order) / 1024}kB/stats/{stat}";

    /// <summary>Whether <paramref name="name"/> is a per-size stat's key (<see cref="MthpStatName"/>), not a /proc/vmstat counter.</summary>
    public static bool IsPerSizeStat(string name) =>
        name is not null && name.StartsWith("hugepages-", StringComparison.Ordinal);

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

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var snapshot = new Dictionary<string, long>
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
            [ThpSplitPageName] = ThpSplitPage,
            [ThpSplitPageFailedName] = ThpSplitPageFailed,
            [ThpDeferredSplitPageName] = ThpDeferredSplitPage,
        };
        for (int order = MinMthpOrder; order <= Nodes.NodeMemory.MaxFolioOrder; order++)
        {
            long[] values = [_mthpAnonFaultAlloc[order], _mthpAnonFaultFallback[order], _mthpSplit[order], _mthpSplitFailed[order], _mthpSplitDeferred[order]];
            for (int k = 0; k < MthpStatNames.Length; k++)
            {
                snapshot[MthpStatName(order, MthpStatNames[k])] = values[k];
            }
        }

        return snapshot;
    }

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
