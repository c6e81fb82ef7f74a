using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

/// <summary>
/// One NUMA node's memory: its page frames (one compact struct array), the free list, the LRU
/// lists, the reverse map and the page-lock wait queues. Everything that only touches this node's
/// frames is a method here, including the protocol steps done on the old or the new page's node.
/// </summary>
public sealed class NodeMemory
{
    /// <summary>pin_user_pages adds this to the refcount (GUP_PIN_COUNTING_BIAS).</summary>
    public const int GupPinCountingBias = 1024;

    private const int ListCount = 5;

    private readonly PageFrame[] _frames;
    private readonly int[] _head = [-1, -1, -1, -1, -1];
    private readonly int[] _count = new int[ListCount];
    private readonly Dictionary<long, List<PteRef>> _rmapOverflow = [];
    private readonly Dictionary<long, Queue<PageLockWaiter>> _waiters = [];
    private readonly byte[]?[]? _bytes;
    private readonly List<long> _writebackQueue = [];

    public NodeMemory(int id, int capacity, ContentMode contentMode = ContentMode.Compact)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Id = id;
        ContentMode = contentMode;
        _frames = new PageFrame[capacity];
        if (contentMode == ContentMode.Full)
        {
            _bytes = new byte[capacity][];
        }

        // Build the free list back to front so allocation hands out frames in ascending order.
        for (int i = capacity - 1; i >= 0; i--)
        {
            _frames[i].Flags = PageFlags.Buddy;
            _frames[i].LruPrev = -1;
            _frames[i].LruNext = _head[(int)LruList.Free];
            if (_head[(int)LruList.Free] >= 0)
            {
                _frames[_head[(int)LruList.Free]].LruPrev = i;
            }

            _head[(int)LruList.Free] = i;
        }

        _count[(int)LruList.Free] = capacity;
    }

    public int Id { get; }

    public ContentMode ContentMode { get; }

    public int Capacity => _frames.Length;

    public int FreePages => _count[(int)LruList.Free];

    /// <summary>Pages of file mappings queued for writeback by migration (step 15).</summary>
    public IReadOnlyList<long> WritebackQueue => _writebackQueue;

    public int LruCount(LruList list) => _count[(int)list];

    /// <summary>Reads one frame (a copy: change frames through the methods).</summary>
    public PageFrame Frame(long pfn) => _frames[pfn];

    internal ref PageFrame FrameRef(long pfn) => ref _frames[pfn];

    // ---- allocation -------------------------------------------------------------------------

    /// <summary>alloc_pages: a frame with refcount 1, or -1 when the node is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long AllocPage()
    {
        int i = _head[(int)LruList.Free];
        if (i < 0)
        {
            return -1;
        }

        Unlink(LruList.Free, i);
        ref PageFrame f = ref _frames[i];
        f = default;
        f.Refcount = 1;
        f.LruPrev = -1;
        f.LruNext = -1;
        f.Contents = PageContents.Zero;
        if (_bytes is not null)
        {
            _bytes[i] = new byte[PageContents.PageSize];
            PageContents.Expand(f.Contents, _bytes[i]);
        }

        return i;
    }

    /// <summary>get_page.</summary>
    public void GetPage(long pfn, int references = 1)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Refcount += references;
    }

    /// <summary>put_page: drops references; the last one frees the frame. Returns true when it was freed.</summary>
    public bool PutPage(long pfn, int references = 1)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Refcount -= references;
        return f.Refcount <= 0 && FreePage(pfn);
    }

    // The last put_page, kept out of PutPage so that the common case inlines into the steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FreePage(long pfn)
    {
        ref PageFrame f = ref _frames[pfn];
        if (f.Refcount < 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} refcount went negative");
        }

        if (f.Mapcount != 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} freed while mapped {f.Mapcount} times");
        }

        if (f.Has(PageFlags.Lru))
        {
            Unlink(ListOf(f.Flags), (int)pfn);
        }

        f = default;
        f.Flags = PageFlags.Buddy;
        if (_bytes is not null)
        {
            _bytes[pfn] = null;
        }

        PushFront(LruList.Free, (int)pfn);
        // Both are almost always empty: skip the lookups then (this runs for every migrated page).
        if (_waiters.Count > 0)
        {
            _waiters.Remove(pfn);
        }

        if (_writebackQueue.Count > 0)
        {
            _writebackQueue.Remove(pfn);
        }

        return true;
    }

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

        f.Flags = (f.Flags | PageFlags.Lru) & ~PageFlags.Isolated;
        PushFront(ListOf(f.Flags), (int)pfn);
    }

    /// <summary>isolate_lru_page: takes the page off its LRU list with a reference. False if it is not on one.</summary>
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

        if (f.Has(PageFlags.Active))
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
        (flags & PageFlags.SwapBacked) != 0
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

    // ---- reverse map ------------------------------------------------------------------------

    /// <summary>page_add_rmap: one more PTE maps the frame (mapcount and the PTE's reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageAddRmap(long pfn, PteRef pte)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.RmapSpace == 0)
        {
            // The common case, one mapping: inline in the frame.
            f.RmapSpace = pte.Space + 1;
            f.RmapVirtualPage = pte.VirtualPage;
        }
        else
        {
            AddOverflowRmap(ref f, pfn, pte);
        }

        f.Mapcount++;
        f.Refcount++;
    }

    private void AddOverflowRmap(ref PageFrame f, long pfn, PteRef pte)
    {
        if (f.RmapSpace > 0)
        {
            _rmapOverflow[pfn] = [new PteRef(f.RmapSpace - 1, f.RmapVirtualPage)];
            f.RmapSpace = -1;
        }

        _rmapOverflow[pfn].Add(pte);
    }

    /// <summary>page_remove_rmap plus the PTE's put_page. Returns true if the frame was freed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool PageRemoveRmap(long pfn, PteRef pte)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.RmapSpace - 1 == pte.Space && f.RmapVirtualPage == pte.VirtualPage)
        {
            // The common case: the frame's one inline mapping goes.
            f.RmapSpace = 0;
            f.RmapVirtualPage = 0;
        }
        else
        {
            RemoveOverflowRmap(ref f, pfn, pte);
        }

        f.Mapcount--;
        return PutPage(pfn);
    }

    private void RemoveOverflowRmap(ref PageFrame f, long pfn, PteRef pte)
    {
        if (f.RmapSpace > 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} is not mapped by {pte}");
        }
        else if (f.RmapSpace < 0)
        {
            List<PteRef> list = _rmapOverflow[pfn];
            if (!list.Remove(pte))
            {
                throw new InvalidOperationException($"page {Id}:{pfn} is not mapped by {pte}");
            }

            if (list.Count == 1)
            {
                f.RmapSpace = list[0].Space + 1;
                f.RmapVirtualPage = list[0].VirtualPage;
                _rmapOverflow.Remove(pfn);
            }
        }
        else
        {
            throw new InvalidOperationException($"page {Id}:{pfn} has no mappings to remove {pte} from");
        }
    }

    /// <summary>rmap_walk: appends the PTEs that map the frame.</summary>
    public void RmapWalk(long pfn, List<PteRef> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        PageFrame f = _frames[pfn];
        if (f.RmapSpace > 0)
        {
            into.Add(new PteRef(f.RmapSpace - 1, f.RmapVirtualPage));
        }
        else if (f.RmapSpace < 0)
        {
            into.AddRange(_rmapOverflow[pfn]);
        }
    }

    // ---- page lock --------------------------------------------------------------------------

    /// <summary>trylock_page.</summary>
    public bool TryLockPage(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.Has(PageFlags.Locked))
        {
            return false;
        }

        f.Flags |= PageFlags.Locked;
        return true;
    }

    /// <summary>Queues a waiter on a locked page (FIFO), as lock_page or a fault would sleep.</summary>
    public void AddLockWaiter(long pfn, PageLockWaiter waiter)
    {
        if (!_waiters.TryGetValue(pfn, out Queue<PageLockWaiter>? queue))
        {
            queue = new Queue<PageLockWaiter>();
            _waiters[pfn] = queue;
        }

        queue.Enqueue(waiter);
    }

    public IReadOnlyCollection<PageLockWaiter> LockWaiters(long pfn) =>
        _waiters.TryGetValue(pfn, out Queue<PageLockWaiter>? q) ? q : [];

    /// <summary>unlock_page: clears PG_locked and wakes the waiters in FIFO order (appended to <paramref name="woken"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UnlockPage(long pfn, List<PageLockWaiter>? woken)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (!f.Has(PageFlags.Locked))
        {
            throw new InvalidOperationException($"unlock of unlocked page {Id}:{pfn}");
        }

        f.Flags &= ~PageFlags.Locked;
        if (_waiters.Count > 0 && _waiters.Remove(pfn, out Queue<PageLockWaiter>? queue))
        {
            woken?.AddRange(queue);
        }
    }

    // ---- contents and flags -----------------------------------------------------------------

    public ulong ReadContents(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        return _bytes is null ? f.Contents : PageContents.Fold(_bytes[pfn]);
    }

    public void WriteContents(long pfn, ulong contents)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Contents = contents;
        if (_bytes is not null)
        {
            PageContents.Expand(contents, _bytes[pfn]);
        }
    }

    public void SetFlags(long pfn, PageFlags set) => LiveFrame(pfn).Flags |= set;

    public void ClearFlags(long pfn, PageFlags clear) => LiveFrame(pfn).Flags &= ~clear;

    /// <summary>page->mapping and page->index, set when the page enters a mapping.</summary>
    public void SetMapping(long pfn, int mapping, long index)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Mapping = mapping;
        f.Index = index;
    }

    /// <summary>set_page_writeback: the page is under I/O; it stops being dirty.</summary>
    public void SetPageWriteback(long pfn) =>
        LiveFrame(pfn).Flags = (LiveFrame(pfn).Flags | PageFlags.Writeback) & ~PageFlags.Dirty;

    /// <summary>end_page_writeback.</summary>
    public void EndPageWriteback(long pfn) => LiveFrame(pfn).Flags &= ~PageFlags.Writeback;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref PageFrame LiveFrame(long pfn)
    {
        ref PageFrame f = ref _frames[pfn];
        if (f.Has(PageFlags.Buddy))
        {
            ThrowFree(pfn);
        }

        return ref f;
    }

    // Out of line so that LiveFrame stays small enough to inline into the steps.
    [DoesNotReturn]
    private void ThrowFree(long pfn) => throw new InvalidOperationException($"page {Id}:{pfn} is free");

    // ---- protocol steps on the old page's node ----------------------------------------------
    // Each step loops over a batch of up to 512 pages and runs once per batch: the steps (and the
    // per-page helpers above that they call) are compiled optimized at once, since tiered
    // compilation would run a migration's first few hundred thousand pages through unoptimized code.

    /// <summary>
    /// Step 1, lock_page, for pages of this node. Async mode and the first passes only try the
    /// lock (-EAGAIN); sync modes on a forced pass queue the migration as a waiter and retry on
    /// the next pass, the model's stand-in for sleeping. A page whose only reference is the
    /// isolation one was freed under us: it is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LockPage(Span<MigrationPage> batch, MigrateMode mode, bool force, long waiterId)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            ref PageFrame f = ref _frames[p.Old.Pfn];
            if (f.Refcount == 1)
            {
                p.Progress |= MigrationProgress.FreedUnderUs;
                continue;
            }

            if (f.Has(PageFlags.Locked))
            {
                if (force && mode != MigrateMode.Async)
                {
                    AddLockWaiter(p.Old.Pfn, new PageLockWaiter(waiterId, WaiterKind.Migration, default, false));
                }

                p.Result = -Errno.EAGAIN;
                continue;
            }

            f.Flags |= PageFlags.Locked;
            p.Progress |= MigrationProgress.OldLocked;
            p.Mapping = f.Mapping;
            p.Index = f.Index;
            p.HasPrivate = f.Has(PageFlags.Private);
        }
    }

    /// <summary>
    /// Step 2, wait_on_page_writeback: only MIGRATE_SYNC waits, and only on a forced pass
    /// (-EAGAIN before); async and sync-light fail with -EBUSY. Returns how many pages waited.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WaitOnPageWriteback(Span<MigrationPage> batch, MigrateMode mode, bool force)
    {
        int waited = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight || !_frames[p.Old.Pfn].Has(PageFlags.Writeback))
            {
                continue;
            }

            if (mode != MigrateMode.Sync)
            {
                p.Result = -Errno.EBUSY;
            }
            else if (!force)
            {
                p.Result = -Errno.EAGAIN;
            }
            else
            {
                // The wait ends when the I/O completes; simulated time is charged by the caller.
                EndPageWriteback(p.Old.Pfn);
                waited++;
            }
        }

        return waited;
    }

    /// <summary>Step 4 (rmap side): the PTEs that map each page; notes pin_user_pages pins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RmapWalk(Span<MigrationPage> batch, int batchOffset, List<MigrationPte> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.Old.Pfn];
            p.MaybeDmaPinned = f.Refcount >= GupPinCountingBias;
            if (f.RmapSpace > 0)
            {
                into.Add(new MigrationPte(batchOffset + i, new PteRef(f.RmapSpace - 1, f.RmapVirtualPage)));
            }
            else if (f.RmapSpace < 0)
            {
                foreach (PteRef pte in _rmapOverflow[p.Old.Pfn])
                {
                    into.Add(new MigrationPte(batchOffset + i, pte));
                }
            }
        }
    }

    /// <summary>
    /// Step 4 (frame side): the unmapped PTEs drop their rmap entry and reference; then a page
    /// still mapped fails with -EAGAIN and its migration entries are undone at step 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void TryToUnmap(ReadOnlySpan<MigrationPte> unmapped, Span<MigrationPage> batch)
    {
        foreach (MigrationPte m in unmapped)
        {
            ref MigrationPage p = ref batch[m.BatchIndex];
            PageRemoveRmap(p.Old.Pfn, m.Pte);
            p.Progress |= MigrationProgress.Unmapped;
        }
    }

    /// <summary>Step 4's mapcount check for this node's pages: a page still mapped fails with -EAGAIN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageMappedCheck(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && _frames[p.Old.Pfn].Mapcount != 0)
            {
                p.Result = -Errno.EAGAIN;
            }
        }
    }

    /// <summary>
    /// Step 6, page_refcount_check: the old page must hold exactly the isolation reference, plus
    /// the page cache's for file pages and one for private data; anything more (a pin, a racing
    /// get_page) backs out with -EAGAIN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefcountCheck(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && _frames[p.Old.Pfn].Refcount != ExpectedRefcount(p))
            {
                p.Result = -Errno.EAGAIN;
            }
        }
    }

    /// <summary>The reference count a page must have at step 6 (migrate_page_move_mapping's expected_count).</summary>
    public static int ExpectedRefcount(in MigrationPage p) => 1 + (p.IsFile ? 1 : 0) + (p.HasPrivate ? 1 : 0);

    /// <summary>Step 10 (old side): the page cache's and private data's references leave the old page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefTransferFrom(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile)
            {
                ref PageFrame f = ref _frames[p.Old.Pfn];
                f.Refcount -= ExpectedRefcount(p) - 1;
                f.Flags &= ~PageFlags.Private;
            }
        }
    }

    /// <summary>Step 12 (old side): reads contents and flags of each old page into the batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageFrom(Span<MigrationPage> batch, Span<byte> bytes)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.Old.Pfn];
            p.OldFlags = f.Flags;
            if (_bytes is null)
            {
                p.Contents = f.Contents;
            }
            else
            {
                p.Contents = f.Contents;
                if (!bytes.IsEmpty)
                {
                    _bytes[p.Old.Pfn].AsSpan().CopyTo(bytes.Slice(i * PageContents.PageSize, PageContents.PageSize));
                }
            }
        }
    }

    /// <summary>Step 14, clear_page_flags: the old page keeps nothing a reader or reclaim could act on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ClearPageFlags(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight)
            {
                _frames[p.Old.Pfn].Flags &= ~(PageFlags.Dirty | PageFlags.Active | PageFlags.Referenced | PageFlags.Unevictable | PageFlags.Private);
            }
        }
    }

    // ---- protocol steps on the target node ---------------------------------------------------

    /// <summary>Step 3, lock_new_page: a frame here, locked and not uptodate; -ENOMEM when the node is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LockNewPage(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            long pfn = AllocPage();
            if (pfn < 0)
            {
                p.Result = -Errno.ENOMEM;
                continue;
            }

            _frames[pfn].Flags = PageFlags.Locked;
            p.New = new PageRef(Id, pfn);
            p.Progress |= MigrationProgress.NewAllocated;
        }
    }

    /// <summary>Step 8, prep_new_page: index, mapping and swap-backing from the old page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PrepNewPage(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.New.Pfn];
            f.Index = p.Index;
            f.Mapping = p.Mapping;
            if (PageMapping.IsAnon(p.Mapping) || p.Mapping == PageMapping.None)
            {
                f.Flags |= PageFlags.SwapBacked;
            }
        }
    }

    /// <summary>Step 10 (new side): the new page takes the page cache's and private data's references.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefTransferTo(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile)
            {
                ref PageFrame f = ref _frames[p.New.Pfn];
                f.Refcount += ExpectedRefcount(p) - 1;
                if (p.HasPrivate)
                {
                    f.Flags |= PageFlags.Private;
                }
            }
        }
    }

    /// <summary>Step 12 (new side): the contents land in the new frame; a corrupt word is refused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageTo(Span<MigrationPage> batch, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            if (!PageContents.IsValid(p.Contents))
            {
                throw new InvalidOperationException($"copy of {p.Old} carries a corrupt contents word {p.Contents:x16}");
            }

            _frames[p.New.Pfn].Contents = p.Contents;
            if (_bytes is not null)
            {
                byte[] page = _bytes[p.New.Pfn] ??= new byte[PageContents.PageSize];
                if (bytes.IsEmpty)
                {
                    PageContents.Expand(p.Contents, page);
                }
                else
                {
                    bytes.Slice(i * PageContents.PageSize, PageContents.PageSize).CopyTo(page);
                }
            }

            p.Progress |= MigrationProgress.Copied;
        }
    }

    /// <summary>Step 13, copy_page_flags (migrate_page_states): uptodate, dirty, active, referenced, ...</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageFlags(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight)
            {
                _frames[p.New.Pfn].Flags |= p.OldFlags & PageFlags.Migrated;
            }
        }
    }

    /// <summary>Step 15, queue_writeback: a dirty file page is queued for writeback on its new node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void QueueWriteback(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile && _frames[p.New.Pfn].Has(PageFlags.Dirty))
            {
                _writebackQueue.Add(p.New.Pfn);
            }
        }
    }

    /// <summary>Step 16 (frame side): each restored PTE adds its rmap entry and reference on the page it now maps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RemoveMigrationPtes(ReadOnlySpan<MigrationPte> restored, ReadOnlySpan<MigrationPage> batch)
    {
        foreach (MigrationPte m in restored)
        {
            ref readonly MigrationPage p = ref batch[m.BatchIndex];
            PageAddRmap(p.Result == 0 ? p.New.Pfn : p.Old.Pfn, m.Pte);
        }
    }

    /// <summary>Step 19, unlock_page on this node's old and new pages; woken waiters are appended in FIFO order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UnlockPage(Span<MigrationPage> batch, List<PageLockWaiter> woken, bool newPages)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!newPages && p.Has(MigrationProgress.OldLocked))
            {
                UnlockPage(p.Old.Pfn, woken);
                p.Progress &= ~MigrationProgress.OldLocked;
            }

            if (newPages && p.Has(MigrationProgress.NewAllocated) && _frames[p.New.Pfn].Has(PageFlags.Locked))
            {
                UnlockPage(p.New.Pfn, woken);
            }
        }
    }

    /// <summary>
    /// Step 20 on this node: a migrated page's new frame joins the LRU and the old frame is freed;
    /// a failed page's new frame is freed, and the old page goes back to the LRU unless it is
    /// to be retried (-EAGAIN, not the last pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PutbackLruPage(Span<MigrationPage> batch, bool keepRetries, bool newPages)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            bool migrated = p.Result == 0 && p.Has(MigrationProgress.Copied);
            if (newPages)
            {
                if (!p.Has(MigrationProgress.NewAllocated))
                {
                    continue;
                }

                if (migrated)
                {
                    LruAdd(p.New.Pfn);
                }

                // The allocation's reference: kept by the page tables and cache when migrated, else the frame goes.
                PutPage(p.New.Pfn);
                p.Progress &= ~MigrationProgress.NewAllocated;
                continue;
            }

            if (migrated || p.Has(MigrationProgress.FreedUnderUs))
            {
                ClearFlags(p.Old.Pfn, PageFlags.Isolated);
                PutPage(p.Old.Pfn);
            }
            else if (p.Result != 0 && !(keepRetries && p.Result == -Errno.EAGAIN))
            {
                LruAdd(p.Old.Pfn);
                PutPage(p.Old.Pfn);
            }
        }
    }
}
