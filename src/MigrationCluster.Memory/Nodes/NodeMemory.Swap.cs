using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- LRU --------------------------------------------------------------------------------

    /// <summary>lru_cache_add: the page joins the list its flags say (anon/file, active/inactive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LruAdd(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.Has(PageFlags.Lru))
        {
            throw new InvalidOperationException($"page {Id}:{pfn} is already on an LRU list");
        }

        // folio_evictable: an mlocked page goes on the unevictable list, inactive.
        f.Flags = (f.Flags | PageFlags.Lru) & ~PageFlags.Isolated;
        f.Flags = f.Has(PageFlags.Mlocked) ? (f.Flags | PageFlags.Unevictable) & ~PageFlags.Active : f.Flags & ~PageFlags.Unevictable;
        PushFront(ListOf(f.Flags), (int)pfn);
    }

    /// <summary>
    /// isolate_lru_page (folio_isolate_lru): takes the page off its LRU list, whichever it is
    /// (the unevictable one too: mlocked pages migrate), with a reference. False if it is on none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool IsolateLruPage(long pfn)
    {
        ref PageFrame f = ref _frames[pfn];
        if (f.Has(PageFlags.Buddy) || !f.Has(PageFlags.Lru))
        {
            return false;
        }

        Unlink(ListOf(f.Flags), (int)pfn);
        f.Flags = (f.Flags & ~PageFlags.Lru) | PageFlags.Isolated;
        f.Refcount++;
        return true;
    }

    /// <summary>
    /// isolate_migratepages_block's tests for compaction, then the isolation: an unevictable
    /// page is skipped unless <paramref name="isolateUnevictable"/> (ISOLATE_UNEVICTABLE, set by
    /// /proc/sys/vm/compact_unevictable_allowed).
    /// </summary>
    public bool IsolateForCompaction(long pfn, bool isolateUnevictable) =>
        (isolateUnevictable || !_frames[pfn].Has(PageFlags.Unevictable)) && IsolateLruPage(pfn);

    /// <summary>
    /// The page-count test and isolate_lru_page of move_pages (add_page_for_migration) and mbind
    /// (migrate_folio_add): a page mapped by more than one PTE stays where it is unless
    /// <paramref name="migrateAll"/> (MPOL_MF_MOVE_ALL); otherwise it is isolated if it can be.
    /// </summary>
    public IsolateResult IsolateForMigration(long pfn, bool migrateAll)
    {
        if (_frames[pfn].Mapcount > 1 && !migrateAll)
        {
            return IsolateResult.Shared;
        }

        return IsolateLruPage(pfn) ? IsolateResult.Isolated : IsolateResult.Busy;
    }

    /// <summary>putback_movable_pages for one page: back on its LRU list, the isolation reference dropped.</summary>
    public void PutbackMovablePage(long pfn)
    {
        LruAdd(pfn);
        PutPage(pfn);
    }

    /// <summary>
    /// truncate_inode_pages, frame side, for a page the caller has locked and whose PTEs
    /// (<paramref name="ptes"/>) it has cleared: they leave the reverse map, the page leaves its
    /// file (clean, no private data), is unlocked and released.
    /// </summary>
    public void TruncatePage(long pfn, IReadOnlyList<PteRef> ptes, List<PageLockWaiter>? woken)
    {
        ArgumentNullException.ThrowIfNull(ptes);
        foreach (PteRef pte in ptes)
        {
            PageRemoveRmap(pfn, pte);
        }

        // Unmapped from every VMA, so from every VM_LOCKED one: no mlock holds it any more.
        MunlockAll(pfn);
        SetMapping(pfn, PageMapping.None, 0);
        ClearFlags(pfn, PageFlags.Dirty | PageFlags.Private);
        UnlockPage(pfn, woken);
        PutPage(pfn);
    }

    /// <summary>mark_page_accessed: referenced, then active on a second touch.</summary>
    public void MarkPageAccessed(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (!f.Has(PageFlags.Referenced))
        {
            f.Flags |= PageFlags.Referenced;
            return;
        }

        // An unevictable page is never activated: its list is never scanned.
        if (f.Has(PageFlags.Active) || f.Has(PageFlags.Unevictable))
        {
            return;
        }

        bool onLru = f.Has(PageFlags.Lru);
        if (onLru)
        {
            Unlink(ListOf(f.Flags), (int)pfn);
        }

        f.Flags = (f.Flags | PageFlags.Active) & ~PageFlags.Referenced;
        if (onLru)
        {
            PushFront(ListOf(f.Flags), (int)pfn);
        }
    }

    /// <summary>The frames on one list, most recent first (for checks and tests).</summary>
    public IEnumerable<long> ListPages(LruList list)
    {
        for (int i = _head[(int)list]; i >= 0; i = _frames[i].LruNext)
        {
            yield return i;
        }
    }

    private static LruList ListOf(PageFlags flags) =>
        (flags & PageFlags.Unevictable) != 0 ? LruList.Unevictable
        : (flags & PageFlags.SwapBacked) != 0
            ? ((flags & PageFlags.Active) != 0 ? LruList.ActiveAnon : LruList.InactiveAnon)
            : ((flags & PageFlags.Active) != 0 ? LruList.ActiveFile : LruList.InactiveFile);

    private void PushFront(LruList list, int i)
    {
        ref PageFrame f = ref _frames[i];
        int head = _head[(int)list];
        f.LruPrev = -1;
        f.LruNext = head;
        if (head >= 0)
        {
            _frames[head].LruPrev = i;
        }

        _head[(int)list] = i;
        _count[(int)list]++;
    }

    private void Unlink(LruList list, int i)
    {
        ref PageFrame f = ref _frames[i];
        if (f.LruPrev >= 0)
        {
            _frames[f.LruPrev].LruNext = f.LruNext;
        }
        else
        {
            _head[(int)list] = f.LruNext;
        }

        if (f.LruNext >= 0)
        {
            _frames[f.LruNext].LruPrev = f.LruPrev;
        }

        f.LruPrev = -1;
        f.LruNext = -1;
        _count[(int)list]--;
    }
}
