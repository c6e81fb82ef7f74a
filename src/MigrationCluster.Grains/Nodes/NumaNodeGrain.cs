using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// Holds one node's <see cref="NodeMemory"/>. Every method but <see cref="WaitOnPageLocked"/> is
/// synchronous, so each runs as one atomic turn, like code under the kernel's page locks.
/// Reentrant because a task sleeping on a page lock (an await in <see cref="WaitOnPageLocked"/>)
/// must not stop the migration that will unlock it: with a non-reentrant node, unlock_page
/// (step 19) would queue behind the sleeper and both would wait for ever.
/// </summary>
[Reentrant]
[NumaNodePlacement]
public sealed class NumaNodeGrain : Grain, INumaNodeGrain, IIncomingGrainCallFilter
{
    private readonly Dictionary<long, TaskCompletionSource> _sleepers = [];
    private readonly List<MigrationPte> _walked = [];
    private NodeMemory? _memory;
    private long _nextWaiterId = 1;
    // The experiment run that configured this node: calls of an earlier, abandoned run are refused.
    private string? _run;

    private int NodeId => (int)this.GetPrimaryKeyLong();

    private NodeMemory Memory => _memory ?? throw new InvalidOperationException($"NUMA node {NodeId} is not configured: call Configure first.");

    public Task Configure(NodeConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.ContentMode != ContentMode.Compact)
        {
            // Full 4 KiB contents would have to cross the grain boundary at copy_page.
            throw new ArgumentException("NUMA node grains keep compact page contents; full contents run in the in-process model.");
        }
        // A fresh node: a long-lived cluster runs one experiment after another.
        _memory = new NodeMemory(NodeId, configuration.Frames, configuration.ContentMode);
        _sleepers.Clear();
        _run = Experiments.RunFence.Current;
        return Task.CompletedTask;
    }

    public Task Invoke(IIncomingGrainCallContext context) => Experiments.RunFence.Invoke(context, _run, $"NUMA node {NodeId}");

    public Task<IReadOnlyDictionary<string, long>> GetVmStat() => Task.FromResult(Memory.Events.Snapshot());

    public Task<NodeStatus> GetStatus() => Task.FromResult(new NodeStatus(
        NodeId, Memory.Capacity, Memory.FreePages, Memory.LruCount(LruList.ActiveAnon) + Memory.LruCount(LruList.ActiveFile), Memory.LruCount(LruList.InactiveAnon) + Memory.LruCount(LruList.InactiveFile), _sleepers.Count, RuntimeIdentity)
    {
        UnevictablePages = Memory.LruCount(LruList.Unevictable),
    });

    public Task<FrameSnapshot[]> SnapshotFrames()
    {
        var frames = new List<FrameSnapshot>();
        var rmap = new List<PteRef>();
        for (long pfn = 0; pfn < Memory.Capacity; pfn++)
        {
            var frame = Memory.Frame(pfn);
            if (frame.Has(PageFlags.Buddy))
            {
                continue;
            }
            rmap.Clear();
            Memory.RmapWalk(pfn, rmap);
            frames.Add(new FrameSnapshot(pfn, frame.Refcount, frame.Mapcount, frame.Mapping, frame.Index, frame.Flags, frame.Contents, [.. rmap], frame.Order));
        }
        return Task.FromResult(frames.ToArray());
    }

    // ---------------------------------------------------------------- accessors

    public Task<long> FaultAnonPage(PteRef pte, int anonMapping, long index)
    {
        var pfn = Memory.AllocPage();
        if (pfn >= 0)
        {
            Memory.SetMapping(pfn, anonMapping, index);
            Memory.SetFlags(pfn, PageFlags.Uptodate | PageFlags.SwapBacked);
            Memory.LruAdd(pfn);
            Memory.PageAddRmap(pfn, pte);
            // The allocation's reference is now the PTE's.
            Memory.PutPage(pfn);
        }
        return Task.FromResult(pfn);
    }

    public Task<long[]> FaultAnonPages(PteRef[] ptes, int anonMapping)
    {
        ArgumentNullException.ThrowIfNull(ptes);
        var pfns = new long[ptes.Length];
        var full = false;
        for (var i = 0; i < ptes.Length; i++)
        {
            // Private anonymous pages are indexed by their virtual page.
            pfns[i] = full ? -1 : FaultAnonPage(ptes[i], anonMapping, ptes[i].VirtualPage).Result;
            full = pfns[i] < 0;
        }
        return Task.FromResult(pfns);
    }

    public Task<long> AllocatePageCachePage(int mapping, long index, bool swapBacked)
    {
        var pfn = Memory.AllocPage();
        if (pfn >= 0)
        {
            // The allocation's reference becomes the page cache's.
            Memory.SetMapping(pfn, mapping, index);
            Memory.SetFlags(pfn, PageFlags.Uptodate | (swapBacked ? PageFlags.SwapBacked : PageFlags.None));
            Memory.LruAdd(pfn);
        }
        return Task.FromResult(pfn);
    }

    public Task<MapResult> LockAndMapPageCachePage(long pfn, int mapping, long index, PteRef pte)
    {
        var frame = Memory.Frame(pfn);
        // Gone from the page cache since the lookup: freed, reused, or the old copy of a page that
        // migrated (it then holds only the migration's isolation reference, not the cache's).
        if (frame.Refcount == 0 || frame.Mapping != mapping || frame.Index != index
            || (frame.Has(PageFlags.Isolated) && frame.Refcount <= 1 && !frame.Has(PageFlags.Locked)))
        {
            return Task.FromResult(MapResult.Stale);
        }
        if (!Memory.TryLockPage(pfn))
        {
            return Task.FromResult(MapResult.Locked);
        }
        Memory.PageAddRmap(pfn, pte);
        return Task.FromResult(MapResult.Mapped);
    }

    public Task UnlockFaultedPage(long pfn)
    {
        var woken = new List<PageLockWaiter>();
        Memory.UnlockPage(pfn, woken);
        Wake(woken);
        return Task.CompletedTask;
    }

    public Task<AccessOutcome> Access(long pfn, PteRef pte, bool write, ulong value)
    {
        var frame = Memory.Frame(pfn);
        if (Memory.FolioRefcount(pfn) == 0 || !IsMappedBy(pfn, pte))
        {
            return Task.FromResult(new AccessOutcome(0, Live: false));
        }
        Memory.MarkPageAccessed(pfn);
        if (write)
        {
            Memory.WriteContents(pfn, PageContents.Make(value));
            Memory.SetFlags(pfn, PageFlags.Dirty);
        }
        return Task.FromResult(new AccessOutcome(Memory.ReadContents(pfn), Live: true));
    }

    public Task<AccessOutcome> FollowPage(long pfn, PteRef pte, bool write)
    {
        var frame = Memory.Frame(pfn);
        if (frame.Refcount == 0 || !IsMappedBy(pfn, pte))
        {
            return Task.FromResult(new AccessOutcome(0, Live: false));
        }
        Memory.MarkPageAccessed(pfn);
        if (write)
        {
            Memory.SetFlags(pfn, PageFlags.Dirty);
        }
        return Task.FromResult(new AccessOutcome(Memory.ReadContents(pfn), Live: true));
    }

    public Task<ulong> ReadPage(long pfn) => Task.FromResult(Memory.ReadContents(pfn));

    public Task WaitOnPageLocked(long pfn, PteRef pte, bool write)
    {
        if (!Memory.Frame(pfn).Has(PageFlags.Locked))
        {
            return Task.CompletedTask;
        }
        var id = _nextWaiterId++;
        var sleeper = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sleepers.Add(id, sleeper);
        Memory.AddLockWaiter(pfn, new PageLockWaiter(id, WaiterKind.Fault, pte, write));
        return sleeper.Task;
    }

    public Task<bool> SleepOnPageLock(long pfn, PteRef pte, bool write)
    {
        if (!Memory.Frame(pfn).Has(PageFlags.Locked))
        {
            return Task.FromResult(false);
        }
        Memory.AddLockWaiter(pfn, new PageLockWaiter(_nextWaiterId++, WaiterKind.Fault, pte, write));
        return Task.FromResult(true);
    }

    public Task Pin(long pfn, int references)
    {
        Memory.GetPage(pfn, references);
        return Task.CompletedTask;
    }

    public Task Unpin(long pfn, int references)
    {
        Memory.PutPage(pfn, references);
        return Task.CompletedTask;
    }

    public Task<bool[]> IsolateLruPages(long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        var isolated = new bool[pfns.Length];
        for (var i = 0; i < pfns.Length; i++)
        {
            isolated[i] = pfns[i] >= 0 && pfns[i] < Memory.Capacity && Memory.IsolateLruPage(pfns[i]);
        }
        return Task.FromResult(isolated);
    }

    // ---------------------------------------------------------------- protocol steps

    public Task<BatchRun> LockPage(BatchRun run, MigrateMode mode, bool force, long waiterId)
    {
        Memory.LockPage(run.Span, mode, force, waiterId);
        return Task.FromResult(run);
    }

    public Task<WritebackResult> WaitOnPageWriteback(BatchRun run, MigrateMode mode, bool force)
    {
        var waited = Memory.WaitOnPageWriteback(run.Span, mode, force);
        return Task.FromResult(new WritebackResult(run, waited));
    }

    public Task<BatchRun> LockNewPage(BatchRun run)
    {
        Memory.LockNewPage(run.Span);
        return Task.FromResult(run);
    }

    public Task<RmapWalkResult> RmapWalk(BatchRun run, int batchOffset)
    {
        // One turn (no await), so a scratch list of the grain's own is safe to reuse; the answer is an exact copy.
        _walked.Clear();
        Memory.RmapWalk(run.Span, batchOffset, _walked);
        return Task.FromResult(new RmapWalkResult(run, new PteBatch([.. _walked])));
    }

    public Task<BatchRun> TryToUnmap(PteBatch unmapped, BatchRun batch)
    {
        var pages = batch.Span;
        Memory.TryToUnmap(unmapped.Ptes, pages);
        for (var start = 0; start < pages.Length;)
        {
            var end = start;
            while (end < pages.Length && pages[end].Old.Node == NodeId)
            {
                end++;
            }
            if (end > start)
            {
                Memory.PageMappedCheck(pages[start..end]);
                start = end;
            }
            else
            {
                start++;
            }
        }
        return Task.FromResult(batch);
    }

    public Task<BatchRun> PageRefcountCheck(BatchRun run)
    {
        Memory.PageRefcountCheck(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> PrepNewPage(BatchRun run)
    {
        Memory.PrepNewPage(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> PageRefTransferFrom(BatchRun run)
    {
        Memory.PageRefTransferFrom(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> PageRefTransferTo(BatchRun run)
    {
        Memory.PageRefTransferTo(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> CopyPageFrom(BatchRun run)
    {
        Memory.CopyPageFrom(run.Span, default);
        return Task.FromResult(run);
    }

    public Task<BatchRun> CopyPageTo(BatchRun run)
    {
        Memory.CopyPageTo(run.Span, default);
        return Task.FromResult(run);
    }

    public Task<BatchRun> CopyPageFlags(BatchRun run)
    {
        Memory.CopyPageFlags(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> ClearPageFlags(BatchRun run)
    {
        Memory.ClearPageFlags(run.Span);
        return Task.FromResult(run);
    }

    public Task<BatchRun> QueueWriteback(BatchRun run)
    {
        Memory.QueueWriteback(run.Span);
        return Task.FromResult(run);
    }

    public Task RemoveMigrationPtes(PteBatch restored, BatchRun batch)
    {
        Memory.RemoveMigrationPtes(restored.Ptes, batch.Span);
        return Task.CompletedTask;
    }

    public Task<UnlockResult> UnlockPage(BatchRun run, bool newPages)
    {
        var woken = new List<PageLockWaiter>();
        Memory.UnlockPage(run.Span, woken, newPages);
        Wake(woken);
        return Task.FromResult(new UnlockResult(run, [.. woken]));
    }

    /// <summary>Faulting tasks wake in FIFO order and redo their access (a migrated page's PTE now names the new page).</summary>
    private void Wake(List<PageLockWaiter> woken)
    {
        foreach (var waiter in woken)
        {
            if (waiter.Kind == WaiterKind.Fault && _sleepers.Remove(waiter.Id, out var sleeper))
            {
                sleeper.TrySetResult();
            }
        }
    }

    private readonly List<PteRef> _rmapScratch = [];

    private bool IsMappedBy(long pfn, PteRef pte)
    {
        _rmapScratch.Clear();
        Memory.RmapWalk(pfn, _rmapScratch);
        return _rmapScratch.Contains(pte);
    }

    public Task<BatchRun> PutbackLruPage(BatchRun run, bool keepRetries, bool newPages)
    {
        Memory.PutbackLruPage(run.Span, keepRetries, newPages);
        return Task.FromResult(run);
    }

    // ---------------------------------------------------------------- syscalls, munmap, truncate, set-up

    public Task<FolioIsolation> IsolateForMigration(long pfn, bool migrateAll) => Task.FromResult(Memory.IsolateFolioForMigration(pfn, migrateAll));

    public Task<PteRef[]?> SplitFolio(long head)
    {
        var ptes = new List<PteRef>();
        for (var pfn = head; pfn < head + (1L << Memory.FolioOrder(head)); pfn++)
        {
            Memory.RmapWalk(pfn, ptes);
        }
        return Task.FromResult(Memory.SplitFolio(head) ? ptes.ToArray() : null);
    }

    public Task<bool[]> FoliosPartiallyMapped(long[] heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        return Task.FromResult(heads.Select(Memory.FolioPartiallyMapped).ToArray());
    }

    public Task<long> FaultAnonFolio(PteRef first, int anonMapping, int order) =>
        Task.FromResult(Memory.FaultAnonFolio(first, anonMapping, order));

    public Task PutbackMovablePages(long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        foreach (var pfn in pfns)
        {
            Memory.PutbackMovablePage(pfn);
        }
        return Task.CompletedTask;
    }

    public Task AddRmap(PteRef[] ptes, long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(ptes);
        ArgumentNullException.ThrowIfNull(pfns);
        for (var i = 0; i < ptes.Length; i++)
        {
            Memory.PageAddRmap(pfns[i], ptes[i]);
        }
        return Task.CompletedTask;
    }

    public Task<bool> WpCanReuseAnonPage(long pfn) => Task.FromResult(Memory.WpCanReuseAnonPage(pfn));

    public Task MlockPages(long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        foreach (var pfn in pfns)
        {
            Memory.MlockPage(pfn);
        }
        return Task.CompletedTask;
    }

    public Task MunlockPages(long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        foreach (var pfn in pfns)
        {
            Memory.MunlockPage(pfn);
        }
        return Task.CompletedTask;
    }

    public Task<bool[]> IsolateForCompaction(long[] pfns, bool isolateUnevictable)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        return Task.FromResult(pfns.Select(pfn => Memory.IsolateForCompaction(pfn, isolateUnevictable)).ToArray());
    }

    public Task<ulong?[]> PagesNeedingCowForDma(long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(pfns);
        return Task.FromResult(pfns.Select(pfn => Memory.PageNeedsCowForDma(pfn) ? Memory.ReadContents(pfn) : (ulong?)null).ToArray());
    }

    public async Task<long> CopyPresentPage(PteRef pte, int anonMapping, long index, ulong contents)
    {
        var pfn = await FaultAnonPage(pte, anonMapping, index);
        if (pfn >= 0)
        {
            Memory.WriteContents(pfn, contents);
        }
        return pfn;
    }

    public Task ZapPtes(PteRef[] ptes, long[] pfns)
    {
        ArgumentNullException.ThrowIfNull(ptes);
        ArgumentNullException.ThrowIfNull(pfns);
        for (var i = 0; i < ptes.Length; i++)
        {
            Memory.PageRemoveRmap(pfns[i], ptes[i]);
        }
        Memory.DeferredSplitAfterUnmap(pfns);
        return Task.CompletedTask;
    }

    public Task<PteRef[]?> LockPageForTruncate(long pfn)
    {
        if (!Memory.TryLockPage(pfn))
        {
            return Task.FromResult<PteRef[]?>(null);
        }
        var ptes = new List<PteRef>();
        Memory.RmapWalk(pfn, ptes);
        return Task.FromResult<PteRef[]?>([.. ptes]);
    }

    public Task TruncatePage(long pfn, PteRef[] ptes)
    {
        var woken = new List<PageLockWaiter>();
        Memory.TruncatePage(pfn, ptes, woken);
        Wake(woken);
        return Task.CompletedTask;
    }

    public Task SetPageState(long pfn, bool writeback, bool dirty)
    {
        if (writeback)
        {
            Memory.SetPageWriteback(pfn);
        }
        if (dirty)
        {
            Memory.SetFlags(pfn, PageFlags.Dirty);
        }
        return Task.CompletedTask;
    }

    public Task<NodeSnapshot> SnapshotNode()
    {
        var frames = new List<FrameSnapshot>();
        var rmap = new List<PteRef>();
        for (long pfn = 0; pfn < Memory.Capacity; pfn++)
        {
            var frame = Memory.Frame(pfn);
            if (frame.Flags == PageFlags.Buddy && frame.Refcount == 0 && frame.Mapcount == 0)
            {
                continue;
            }
            rmap.Clear();
            Memory.RmapWalk(pfn, rmap);
            // Node grains keep compact contents: the frame's word is the page (read even if the frame is free).
            frames.Add(new FrameSnapshot(pfn, frame.Refcount, frame.Mapcount, frame.Mapping, frame.Index, frame.Flags, frame.Contents, [.. rmap], frame.Order));
        }
        return Task.FromResult(new NodeSnapshot(NodeId, Memory.Capacity, Memory.FreePages, Memory.ListPages(LruList.Free).Count(), [.. frames]));
    }
}
