using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Invariants;

/// <summary>A logical page: a virtual page of anonymous private memory, or an index of a file mapping.</summary>
public readonly record struct LogicalPage(int Space, int Mapping, long Key);

/// <summary>
/// Checks a whole machine (the <see cref="MemorySystem"/>, or any <see cref="IMachineView"/>) and can run after any step: frames free xor owned;
/// present PTEs name live frames whose reverse map lists them; mapcount equals the PTEs;
/// refcount covers PTEs, cache and private data; migration entries only for pages being migrated
/// (and locked); zero-page PTEs only in private anonymous memory; each logical page reachable
/// through one frame only, holding the expected contents.
/// </summary>
public static class InvariantChecker
{
    /// <param name="system">The model.</param>
    /// <param name="migrating">Old pages a migration holds now: the only pages migration entries may name.</param>
    /// <param name="expected">The contents each logical page should have (last write wins), or null to skip.</param>
    public static void Check(MemorySystem system, IReadOnlySet<PageRef>? migrating = null, IReadOnlyDictionary<LogicalPage, ulong>? expected = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        Check(new ModelMachineView(system), migrating, expected);
    }

    /// <param name="system">The machine: the model, or a snapshot of the grains.</param>
    /// <param name="migrating">Old pages a migration holds now: the only pages migration entries may name.</param>
    /// <param name="expected">The contents each logical page should have (last write wins), or null to skip.</param>
    public static void Check(IMachineView system, IReadOnlySet<PageRef>? migrating = null, IReadOnlyDictionary<LogicalPage, ulong>? expected = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var mapped = new Dictionary<PageRef, int>();
        var reach = new Dictionary<LogicalPage, PageRef>();
        var readable = new Dictionary<LogicalPage, PageRef>();
        var zeroMapped = new HashSet<LogicalPage>();
        var lockedMapped = new HashSet<PageRef>();
        var rmap = new List<PteRef>();

        foreach (int node in system.NodeIds)
        {
            int buddy = 0;
            for (long pfn = 0; pfn < system.Capacity(node); pfn++)
            {
                PageFrame f = system.Frame(node, pfn);
                if (f.Has(PageFlags.Buddy))
                {
                    buddy++;
                    Require(f.Refcount == 0 && f.Mapcount == 0 && f.Flags == PageFlags.Buddy, $"free frame {node}:{pfn} is also in use ({f.Flags}, ref {f.Refcount}, map {f.Mapcount})");
                }
                else if (f.Order > 0 && (pfn & ((1L << f.Order) - 1)) != 0)
                {
                    // A tail page: the folio's count is on its head, which must be of the same folio.
                    long head = pfn & ~((1L << f.Order) - 1);
                    PageFrame h = system.Frame(node, head);
                    Require(f.Refcount == 0 && !h.Has(PageFlags.Buddy) && h.Order == f.Order, $"tail page {node}:{pfn} (order {f.Order}) has refcount {f.Refcount} or a head {node}:{head} of order {h.Order} ({h.Flags})");
                }
                else
                {
                    Require(f.Refcount > 0, $"frame {node}:{pfn} is neither free nor referenced");
                }

                if (f.Has(PageFlags.PartiallyMapped))
                {
                    CheckPartiallyMapped(system, node, pfn, f);
                }
            }

            Require(buddy == system.FreePages(node) && system.FreeListLength(node) == buddy, $"node {node}: free list has {system.FreePages(node)} frames, {buddy} are marked free");
        }

        foreach (int space in system.SpaceIds)
        {
            foreach (var (vpage, pte) in system.Ptes(space))
            {
                Vma? vma = system.FindVma(space, vpage);
                Require(vma is not null, $"{space}:{vpage} has a PTE outside any VMA");
                if (pte.Kind == PteKind.ZeroPage)
                {
                    // The shared zero page has no frame: only private anonymous memory maps it, read-only.
                    Require(vma!.Kind == VmaKind.AnonPrivate && !pte.Writable, $"{space}:{vpage} maps the zero page in {vma.Kind} memory");
                    zeroMapped.Add(LogicalOf(space, vma, vpage));
                    continue;
                }

                Require(system.NodeExists(pte.Page.Node) && pte.Page.Pfn < system.Capacity(pte.Page.Node), $"PTE {space}:{vpage} names no frame {pte.Page}");
                PageFrame f = system.Frame(pte.Page.Node, pte.Page.Pfn);
                Require(!f.Has(PageFlags.Buddy), $"PTE {space}:{vpage} ({pte.Kind}) names free frame {pte.Page}");
                // A private file mapping's written page is the task's own anonymous copy.
                var logical = vma!.Kind == VmaKind.FilePrivate && PageMapping.IsAnon(f.Mapping) ? new LogicalPage(space, 0, vpage) : LogicalOf(space, vma, vpage);

                if (pte.Kind == PteKind.Migration)
                {
                    Require(migrating is not null && migrating.Contains(pte.Page), $"migration entry {space}:{vpage} -> {pte.Page} outlives its migration");
                    Require(f.Has(PageFlags.Locked), $"migration entry {space}:{vpage} names unlocked page {pte.Page}");
                    continue;
                }

                mapped[pte.Page] = mapped.GetValueOrDefault(pte.Page) + 1;
                if (vma.Locked)
                {
                    // mm/mlock.c: what a VM_LOCKED VMA maps is mlocked.
                    Require(f.Has(PageFlags.Mlocked), $"{space}:{vpage} maps {pte.Page} in a VM_LOCKED VMA, but the page is not mlocked ({f.Flags})");
                    lockedMapped.Add(pte.Page);
                }

                rmap.Clear();
                system.RmapWalk(pte.Page.Node, pte.Page.Pfn, rmap);
                Require(rmap.Contains(new PteRef(space, vpage)), $"reverse map of {pte.Page} does not list {space}:{vpage}");
                Note(reach, logical, pte.Page);
                readable[logical] = pte.Page;
            }

            foreach (var (mapping, index, page) in system.PageCache(space))
            {
                PageFrame f = system.Frame(page.Node, page.Pfn);
                Require(!f.Has(PageFlags.Buddy), $"mapping {mapping} index {index} names free frame {page}");
                Require(f.Mapping == mapping && f.Index == index, $"page {page} in mapping {mapping}:{index} says mapping {f.Mapping}:{f.Index}");
                Note(reach, new LogicalPage(-1, mapping, index), page);
                if (!f.Has(PageFlags.Locked))
                {
                    // A locked cache page is not readable yet: a fault on it waits for the unlock.
                    readable[new LogicalPage(-1, mapping, index)] = page;
                }
            }
        }

        var folioHeld = new Dictionary<PageRef, int>();
        foreach (int node in system.NodeIds)
        {
            for (long pfn = 0; pfn < system.Capacity(node); pfn++)
            {
                PageFrame f = system.Frame(node, pfn);
                if (f.Has(PageFlags.Buddy))
                {
                    continue;
                }

                var page = new PageRef(node, pfn);
                int ptes = mapped.GetValueOrDefault(page);
                rmap.Clear();
                system.RmapWalk(node, pfn, rmap);
                Require(f.Mapcount == ptes && rmap.Count == ptes, $"page {page}: mapcount {f.Mapcount}, reverse map {rmap.Count}, PTEs {ptes}");
                bool inCache = PageMapping.IsFile(f.Mapping) && system.CachedPage(f.Mapping, f.Index) == page;
                int held = ptes + (inCache ? 1 : 0) + (f.Has(PageFlags.Private) ? 1 : 0);
                if (f.Order > 0)
                {
                    // A large folio's pages all hold on its head's count.
                    long head = pfn & ~((1L << f.Order) - 1);
                    folioHeld[new PageRef(node, head)] = folioHeld.GetValueOrDefault(new PageRef(node, head)) + held;
                }
                else
                {
                    Require(f.Refcount >= held, $"page {page}: refcount {f.Refcount} below the {held} its PTEs, cache and private data hold");
                }

                Require(!f.Has(PageFlags.Lru) || f.Order == 0 || (pfn & ((1L << f.Order) - 1)) == 0, $"tail page {page} is on an LRU list (a folio is there once, by its head)");
                Require(PageContents.IsValid(system.ReadContents(node, pfn)), $"page {page}: contents word fails its checksum");
                // mm/mlock.c: a page on an LRU list is on the unevictable one exactly when it is
                // mlocked, and only a VM_LOCKED mapping holds it mlocked.
                Require(!f.Has(PageFlags.Lru) || f.Has(PageFlags.Mlocked) == f.Has(PageFlags.Unevictable), $"page {page}: on an LRU list with {f.Flags}: mlocked and unevictable must go together");
                Require(!f.Has(PageFlags.Lru) || !f.Has(PageFlags.Mlocked) || lockedMapped.Contains(page), $"page {page} is mlocked, but no VM_LOCKED VMA maps it");
            }
        }

        foreach (var (head, held) in folioHeld)
        {
            int refcount = system.Frame(head.Node, head.Pfn).Refcount;
            Require(refcount >= held, $"folio {head}: refcount {refcount} below the {held} its pages' PTEs hold");
        }

        if (expected is null)
        {
            return;
        }

        foreach (var (logical, contents) in expected)
        {
            if (zeroMapped.Contains(logical))
            {
                Require(contents == PageContents.Zero, $"{logical} maps the zero page, expected {PageContents.ValueOf(contents)}");
                continue;
            }

            if (!readable.TryGetValue(logical, out PageRef page))
            {
                // Truncated file pages and never-faulted pages have nothing to hold.
                continue;
            }

            ulong actual = system.ReadContents(page.Node, page.Pfn);
            Require(actual == contents, $"{logical} reads {PageContents.ValueOf(actual)} through {page}, expected {PageContents.ValueOf(contents)}");
        }
    }

    /// <summary>
    /// The counters of one migrate_pages() call against the folios it was given: every base page
    /// counted once, as migrated or failed (pgmigrate_success + pgmigrate_fail = the pages
    /// attempted), and every THP once, as migrated or failed, a split one also once as split.
    /// </summary>
    public static void CheckMigrationCounters(IReadOnlyList<Migration.MigrationRequest> requests, Migration.MigrateResult result, int pmdOrder = Migration.MigrationProtocolOptions.DefaultPmdOrder)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(result);
        long pages = requests.Sum(r => (long)r.FolioPages);
        int thps = requests.Count(r => r.Order >= pmdOrder);
        Migration.MigrationVmEvents e = result.VmEvents;
        Require(e.PgmigrateSuccess + e.PgmigrateFail == pages, $"pgmigrate_success {e.PgmigrateSuccess} + pgmigrate_fail {e.PgmigrateFail} != {pages} base pages attempted");
        Require(e.ThpMigrationSuccess + e.ThpMigrationFail == thps, $"thp_migration_success {e.ThpMigrationSuccess} + thp_migration_fail {e.ThpMigrationFail} != {thps} THPs attempted");
        Require(e.ThpMigrationSplit <= e.ThpMigrationFail, $"thp_migration_split {e.ThpMigrationSplit} counts a THP not counted as failed ({e.ThpMigrationFail}): a split is counted once, with its failure");
    }

    /// <summary>
    /// The split counters of a whole machine (its /proc/vmstat and per-size stats, by name): a
    /// split is counted once, in thp_split_page and the 2 MiB size's split alike (failures and
    /// deferred-split queueing too), and every THP a migration split is a split the machine made.
    /// </summary>
    public static void CheckSplitCounters(IReadOnlyDictionary<string, long> vmstat, int pmdOrder = Migration.MigrationProtocolOptions.DefaultPmdOrder)
    {
        ArgumentNullException.ThrowIfNull(vmstat);
        (string Thp, string PerSize)[] pairs =
        [
            (VmStat.ThpSplitPageName, VmStat.MthpSplitName),
            (VmStat.ThpSplitPageFailedName, VmStat.MthpSplitFailedName),
            (VmStat.ThpDeferredSplitPageName, VmStat.MthpSplitDeferredName),
        ];
        foreach (var (thp, perSize) in pairs)
        {
            string name = VmStat.MthpStatName(pmdOrder, perSize);
            Require(vmstat.GetValueOrDefault(thp) == vmstat.GetValueOrDefault(name), $"{thp} {vmstat.GetValueOrDefault(thp)} != {name} {vmstat.GetValueOrDefault(name)}: a split is counted once in each");
        }

        long migrationSplit = vmstat.GetValueOrDefault(VmStat.ThpMigrationSplitName), split = vmstat.GetValueOrDefault(VmStat.ThpSplitPageName);
        Require(migrationSplit <= split, $"thp_migration_split {migrationSplit} exceeds thp_split_page {split}: a migration counted a split no folio made");
    }

    /// <summary>The logical page a PTE maps.</summary>
    public static LogicalPage LogicalOf(AddressSpaceMemory space, Vma vma, long virtualPage)
    {
        ArgumentNullException.ThrowIfNull(space);
        return LogicalOf(space.Id, vma, virtualPage);
    }

    /// <summary>The logical page a PTE of address space <paramref name="space"/> maps.</summary>
    public static LogicalPage LogicalOf(int space, Vma vma, long virtualPage)
    {
        ArgumentNullException.ThrowIfNull(vma);
        return vma.Kind == VmaKind.AnonPrivate
            ? new LogicalPage(space, 0, virtualPage)
            : new LogicalPage(-1, vma.Mapping, vma.IndexOf(virtualPage));
    }

    // One logical page must be reachable through one frame only: two would be a duplicate owner.
    private static void Note(Dictionary<LogicalPage, PageRef> reach, LogicalPage logical, PageRef page)
    {
        if (reach.TryGetValue(logical, out PageRef other))
        {
            Require(other == page, $"{logical} is reachable through two frames, {other} and {page}");
        }
        else
        {
            reach[logical] = page;
        }
    }

    // PG_partially_mapped sits on the head of a large anonymous folio (order above 1) that some
    // unmap left with pages unmapped: never on a tail, a small folio, or a folio mapped whole.
    private static void CheckPartiallyMapped(IMachineView system, int node, long pfn, PageFrame f)
    {
        long nr = 1L << f.Order;
        Require(f.Order > 1 && (pfn & (nr - 1)) == 0, $"page {node}:{pfn} (order {f.Order}) is flagged partially mapped but is not the head of a folio of more than two pages");
        Require(PageMapping.IsAnon(f.Mapping), $"folio {node}:{pfn} is flagged partially mapped but is not anonymous");
        int mappedPages = 0;
        for (long i = pfn; i < pfn + nr; i++)
        {
            mappedPages += system.Frame(node, i).Mapcount > 0 ? 1 : 0;
        }

        Require(mappedPages < nr, $"folio {node}:{pfn} is flagged partially mapped but all its {nr} pages are mapped");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolationException(message);
        }
    }
}
