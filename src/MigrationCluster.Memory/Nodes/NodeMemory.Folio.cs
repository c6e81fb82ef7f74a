using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- large folios -----------------------------------------------------------------------
    // A large folio is 2^order frames of this node, aligned to its size; every frame carries the
    // order, the head (the aligned one) holds the folio's reference count and its LRU place.

    /// <summary>MAX_PAGE_ORDER's role here: the largest folio the model allocates (a PMD of 4 KiB pages).</summary>
    public const int MaxFolioOrder = 9;

    private readonly long[] _folioSearchFrom = new long[MaxFolioOrder + 1];

    /// <summary>
    /// The vm events counted where a folio is (its splits, its deferred-split queueing): this
    /// node's share of /proc/vmstat and the per-size stats, summed with the others' by name.
    /// </summary>
    public VmStat Events { get; } = new();

    /// <summary>The head frame of the folio <paramref name="pfn"/> belongs to (itself for a base page).</summary>
    public long FolioHead(long pfn) => pfn & ~((1L << _frames[pfn].Order) - 1);

    /// <summary>folio_order of the folio <paramref name="pfn"/> belongs to.</summary>
    public int FolioOrder(long pfn) => _frames[pfn].Order;

    /// <summary>The folio's reference count (on its head).</summary>
    public int FolioRefcount(long pfn) => _frames[FolioHead(pfn)].Refcount;

    /// <summary>folio_maybe_mapped_shared: some page of the folio is mapped by more than one PTE.</summary>
    public bool FolioMaybeMappedShared(long pfn)
    {
        long head = FolioHead(pfn);
        for (long i = head; i < head + (1L << _frames[pfn].Order); i++)
        {
            if (_frames[i].Mapcount > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The pages of the folio mapped by at least one PTE (folio_mapped counts; partial when 0 &lt; n &lt; size).</summary>
    public int FolioMappedPages(long pfn)
    {
        long head = FolioHead(pfn);
        int mapped = 0;
        for (long i = head; i < head + (1L << _frames[pfn].Order); i++)
        {
            mapped += _frames[i].Mapcount > 0 ? 1 : 0;
        }

        return mapped;
    }

    /// <summary>folio_test_partially_mapped: the folio is flagged partially mapped (on the deferred-split list).</summary>
    public bool FolioPartiallyMapped(long pfn) => _frames[FolioHead(pfn)].Has(PageFlags.PartiallyMapped);

    /// <summary>
    /// __folio_remove_rmap's deferred-split test after the PTEs of <paramref name="unmapped"/>
    /// were removed in one go (zap_pte_range, a COW): a large anonymous folio of order above 1
    /// in which a page lost its last mapping while another page stays mapped becomes partially
    /// mapped (deferred_split_folio(folio, true)), once. A folio unmapped whole is freed instead,
    /// and a page that only lost one of several mappings changes nothing. Each newly flagged
    /// folio is counted (thp_deferred_split_page, split_deferred) in <see cref="Events"/>.
    /// </summary>
    public void DeferredSplitAfterUnmap(ReadOnlySpan<long> unmapped)
    {
        foreach (long pfn in unmapped)
        {
            ref PageFrame f = ref _frames[pfn];
            if (f.Order <= 1 || f.Mapcount != 0 || f.Has(PageFlags.Buddy))
            {
                continue;
            }

            long head = FolioHead(pfn);
            ref PageFrame h = ref _frames[head];
            if (h.Has(PageFlags.PartiallyMapped) || !PageMapping.IsAnon(h.Mapping) || FolioMappedPages(head) == 0)
            {
                continue;
            }

            h.Flags |= PageFlags.PartiallyMapped;
            Events.CountDeferredSplit(h.Order, Migration.MigrationProtocolOptions.DefaultPmdOrder);
        }
    }

    /// <summary>
    /// folio_alloc of order <paramref name="order"/>: 2^order free frames aligned to their size,
    /// the head with refcount 1; -1 when no such range is free (the buddy allocator's failure,
    /// which the model has whenever free frames are too scattered, not only when too few).
    /// </summary>
    public long AllocFolio(int order)
    {
        if (order == 0)
        {
            return AllocPage();
        }

        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, MaxFolioOrder);
        long nr = 1L << order;
        if (FreePages < nr)
        {
            return -1;
        }

        // Blocks below the hint had a frame in use when last looked at; a free lowers the hint.
        for (long head = _folioSearchFrom[order]; head + nr <= _frames.Length; head += nr)
        {
            long used = -1;
            for (long i = head + nr - 1; i >= head; i--)
            {
                if (!_frames[i].Has(PageFlags.Buddy))
                {
                    used = i;
                    break;
                }
            }

            if (used >= 0)
            {
                continue;
            }

            _folioSearchFrom[order] = head + nr;
            for (long i = head; i < head + nr; i++)
            {
                Unlink(LruList.Free, (int)i);
                ref PageFrame f = ref _frames[i];
                f = default;
                f.LruPrev = -1;
                f.LruNext = -1;
                f.Order = (byte)order;
                f.Contents = PageContents.Zero;
                if (_bytes is not null)
                {
                    _bytes[i] = new byte[PageContents.PageSize];
                    PageContents.Expand(f.Contents, _bytes[i]);
                }
            }

            _frames[head].Refcount = 1;
            return head;
        }

        _folioSearchFrom[order] = _frames.Length;
        return -1;
    }

    /// <summary>
    /// The frame side of a large-folio anonymous fault: a folio of <paramref name="order"/>, its
    /// pages indexed by their virtual pages from <paramref name="first"/>, each in the reverse
    /// map once, the folio on the LRU. The head, or -1 when no free range is left.
    /// </summary>
    public long FaultAnonFolio(PteRef first, int anonMapping, int order)
    {
        long head = AllocFolio(order);
        if (head < 0)
        {
            return -1;
        }

        for (long k = 0; k < 1L << order; k++)
        {
            SetMapping(head + k, anonMapping, first.VirtualPage + k);
            SetFlags(head + k, PageFlags.Uptodate | PageFlags.SwapBacked);
            PageAddRmap(head + k, new PteRef(first.Space, first.VirtualPage + k));
        }

        LruAdd(head);
        // The allocation's reference is now the PTEs'.
        PutPage(head);
        return head;
    }

    /// <summary>Whether a free range for a folio of <paramref name="order"/> exists now (no allocation).</summary>
    public bool HasFreeFolio(int order)
    {
        long nr = 1L << order;
        for (long head = _folioSearchFrom[Math.Min(order, MaxFolioOrder)]; head + nr <= _frames.Length; head += nr)
        {
            bool free = true;
            for (long i = head; i < head + nr && free; i++)
            {
                free = _frames[i].Has(PageFlags.Buddy);
            }

            if (free)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// split_folio for an isolated, locked-by-nobody folio: it becomes 2^order base pages, each
    /// isolated with a reference of its own besides its PTEs' (they go on the split list, as
    /// split_folio_to_list puts them). Fails (false) when references other than the mappings'
    /// and the isolation one hold the folio (can_split_folio: a pin, say) or a page is locked
    /// (try_split_folio's trylock: not tried, not counted). A split that is tried counts once in
    /// <see cref="Events"/> as split or split_failed (thp_split_page(_failed) for a THP).
    /// </summary>
    public bool SplitFolio(long head)
    {
        ref PageFrame h = ref LiveFrame(head);
        int order = h.Order;
        if (order == 0 || FolioHead(head) != head)
        {
            throw new InvalidOperationException($"page {Id}:{head} is not the head of a large folio");
        }

        long nr = 1L << order;
        int mapped = 0;
        for (long i = head; i < head + nr; i++)
        {
            if (_frames[i].Has(PageFlags.Locked))
            {
                return false;
            }

            mapped += _frames[i].Mapcount;
        }

        if (h.Refcount != mapped + 1)
        {
            Events.CountSplit(order, split: false, Migration.MigrationProtocolOptions.DefaultPmdOrder);
            return false;
        }

        // The split folio leaves the deferred-split list (folio_clear_partially_mapped).
        h.Flags &= ~PageFlags.PartiallyMapped;
        Events.CountSplit(order, split: true, Migration.MigrationProtocolOptions.DefaultPmdOrder);
        PageFlags inherited = h.Flags & (PageFlags.Migrated | PageFlags.Isolated);
        for (long i = head; i < head + nr; i++)
        {
            ref PageFrame f = ref _frames[i];
            f.Order = 0;
            f.Refcount = f.Mapcount + 1;
            f.Flags |= inherited;
        }

        return true;
    }

    // The last put of a large folio: every frame goes back to the free list.
    private bool FreeFolio(long head)
    {
        long nr = 1L << _frames[head].Order;
        for (long i = head; i < head + nr; i++)
        {
            if (_frames[i].Mapcount != 0)
            {
                throw new InvalidOperationException($"folio {Id}:{head} freed while page {i} is mapped {_frames[i].Mapcount} times");
            }
        }

        if (_frames[head].Refcount < 0)
        {
            throw new InvalidOperationException($"folio {Id}:{head} refcount went negative");
        }

        for (long i = head + nr - 1; i >= head; i--)
        {
            _frames[i].Refcount = 0;
            _frames[i].Order = 0;
            FreePage(i);
        }

        return true;
    }

    // A freed frame may complete an aligned free block below an order's search hint.
    private void LowerFolioHints(long pfn)
    {
        for (int order = 1; order <= MaxFolioOrder; order++)
        {
            long block = pfn & ~((1L << order) - 1);
            if (block < _folioSearchFrom[order])
            {
                _folioSearchFrom[order] = block;
            }
        }
    }
}
