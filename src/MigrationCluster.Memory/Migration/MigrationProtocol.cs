using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// migrate_pages(): the one driver of the protocol. It reads top to bottom in the order of the
/// step table (1..16, 19, 20), talks to the owners of the data only through
/// <see cref="IMigrationBackend"/>, and reports every step to an <see cref="IMigrationObserver"/>.
/// Pages given to it must be isolated from the LRU (with the isolation reference) by the caller.
/// </summary>
public sealed class MigrationProtocol
{
    private readonly IMigrationBackend _backend;
    private readonly IMigrationObserver _observer;
    private readonly MigrationProtocolOptions _options;
    private readonly List<MigrationPte> _converted = [];
    private readonly List<PageLockWaiter> _woken = [];
    private MigrationPte[] _convertedBuffer = [];
    private readonly MigrationClock? _clock;
    private bool _splitOnNoMemory;
    private PageLockWaiter[] _lastWoken = [];
    private long _lastWokenAtNs;

    /// <param name="clock">The call's simulated clock: every step is charged on it (null: no simulated time).</param>
    public MigrationProtocol(IMigrationBackend backend, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null, MigrationClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _observer = observer ?? MigrationObserver.None;
        _options = options ?? new MigrationProtocolOptions();
        _options.Validate();
        _clock = clock;
    }

    /// <summary>The call's simulated clock, or null.</summary>
    public MigrationClock? Clock => _clock;

    public async ValueTask<MigrateResult> MigratePages(IReadOnlyList<MigrationRequest> requests, MigrateMode mode, MigrateReason reason)
    {
        ArgumentNullException.ThrowIfNull(requests);
        int n = requests.Count;
        var errno = new int[n];
        var newPages = new PageRef[n]; // each written once, with the folio's final outcome
        long attemptedPages = 0;
        int largest = 1;
        for (int q = 0; q < n; q++)
        {
            attemptedPages += requests[q].FolioPages;
            largest = Math.Max(largest, requests[q].FolioPages);
        }

        // The folios go through the steps a batch at a time in one pooled descriptor buffer: a
        // batch takes folios until it holds BatchSize base pages (NR_MAX_BATCHED_MIGRATION), the
        // folio that reaches it included; a large folio is 2^order descriptors, head first.
        // origin[k] is the request index of descriptor k. The first pass takes the requests in
        // order, later passes the request indexes that got -EAGAIN (pending).
        int bufferLength = Math.Max(1, (int)Math.Min(_options.BatchSize, attemptedPages)) + largest - 1;
        MigrationPage[] buffer = ArrayPool<MigrationPage>.Shared.Rent(bufferLength);
        int[] origin = ArrayPool<int>.Shared.Rent(bufferLength);
        List<int>? pending = null, retry = null;
        var split = new SplitFolios(_options.PmdOrder);
        _splitOnNoMemory = reason != MigrateReason.NumaMisplaced;

        long startedNs = _clock?.NowNs ?? 0;
        _observer.MigrationStarted(mode, reason, n);
        int pendingCount = n, passes = 0;
        bool outOfMemory = false;
        try
        {
            for (int pass = 0; pass < _options.MaxPasses && pendingCount > 0 && !outOfMemory; pass++)
            {
                passes++;
                bool force = pass >= _options.ForcePass;
                bool lastPass = pass == _options.MaxPasses - 1;
                _observer.PassStarted(pass, pendingCount);
                retry ??= [];
                retry.Clear();
                int done = 0;

                for (int start = 0; start < pendingCount;)
                {
                    int taken = Fill(buffer, origin, requests, pending, start, pendingCount, out int length);
                    if (await SplitPartiallyMapped(requests, pending, start, taken, split))
                    {
                        // The split folios leave the batch: their base pages wait on the split list.
                        Fill(buffer, origin, requests, pending, start, start + taken, out length, split);
                    }

                    if (length == 0)
                    {
                        start += taken;
                        done = start;
                        continue;
                    }

                    Memory<MigrationPage> batch = buffer.AsMemory(0, length);
                    BeginPages(pass, batch.Span);
                    _clock?.BeginBatch(pass, mode);
                    await MigrateBatch(batch, mode, force, keepRetries: !lastPass);
                    outOfMemory |= EndPages(pass, batch.Span, origin.AsSpan(0, length), lastPass ? null : retry, errno, newPages, split);
                    outOfMemory |= !await SplitCandidates(split, requests, lastPass ? null : retry, reason, errno, newPages);
                    start += taken;
                    done = start;
                    if (outOfMemory)
                    {
                        break;
                    }
                }

                if (outOfMemory)
                {
                    // -ENOMEM ends migrate_pages: the retries and the folios not reached go back to the LRU.
                    for (int i = done; i < pendingCount; i++)
                    {
                        retry.Add(pending is null ? i : pending[i]);
                    }

                    await PutBack(retry, requests, buffer, origin, errno, newPages);
                    retry.Clear();
                }

                _observer.PassEnded(pass, retry.Count);
                pendingCount = retry.Count;
                (pending, retry) = (retry, pending);
            }

            if (split.Pages.Count > 0)
            {
                await MigrateSplitPages(split, outOfMemory, buffer, origin, errno, newPages);
            }
        }
        finally
        {
            ArrayPool<MigrationPage>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(origin);
            if (_clock?.Gate is { } gate)
            {
                // Also when a step failed: the tasks must not wait for this call any more.
                await gate.Finish(_clock.NowNs, _lastWoken, _lastWokenAtNs);
                _lastWoken = [];
            }
        }

        // Every folio has its final errno now (the last pass retries none). The call's vm events
        // are counted here, once, as mm/migrate.c counts them at the end of migrate_pages():
        // pgmigrate_* in base pages, thp_migration_* in PMD-sized folios; a split folio counts
        // once as failed (and split), its base pages each as migrated or failed.
        int succeeded = errno.AsSpan().Count(0), failed = n - succeeded;
        long succeededPages = split.SucceededPages, thpSucceeded = 0, thpFailed = split.ThpFailed;
        int folioFailures = split.Count;
        for (int q = 0; q < n; q++)
        {
            if (split.WasSplit(q))
            {
                continue;
            }

            bool thp = requests[q].Order >= _options.PmdOrder;
            if (errno[q] == 0)
            {
                succeededPages += requests[q].FolioPages;
                thpSucceeded += thp ? 1 : 0;
            }
            else
            {
                folioFailures++;
                thpFailed += thp ? 1 : 0;
            }
        }

        // Return 0 when every folio, split ones included, got through; else the folios that failed.
        int returnValue = outOfMemory ? -Errno.ENOMEM : failed == 0 ? 0 : folioFailures;
        var events = MigrationVmEvents.Of(succeededPages, attemptedPages - succeededPages, reason) with
        {
            ThpMigrationSuccess = thpSucceeded,
            ThpMigrationFail = thpFailed,
            ThpMigrationSplit = split.ThpSplit,
        };
        var result = new MigrateResult(returnValue, succeeded, failed, passes, mode, reason, errno, newPages, events)
        {
            SimulatedNs = (_clock?.NowNs ?? 0) - startedNs,
        };
        _observer.MigrationEnded(result);
        return result;
    }

    /// <summary>
    /// Fresh descriptors for the pass's folios from <paramref name="start"/> (all requests in
    /// order when <paramref name="pending"/> is null) until the batch holds BatchSize base pages.
    /// Returns the folios taken; <paramref name="length"/> is the descriptors written. Folios in
    /// <paramref name="split"/> (split before the batch) are taken but leave no descriptors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Fill(MigrationPage[] buffer, int[] origin, IReadOnlyList<MigrationRequest> requests, List<int>? pending, int start, int count, out int length, SplitFolios? split = null)
    {
        int taken = 0;
        length = 0;
        while (start + taken < count && length < _options.BatchSize)
        {
            int q = pending is null ? start + taken : pending[start + taken];
            if (split is not null && split.WasSplit(q))
            {
                taken++;
                continue;
            }

            MigrationRequest request = requests is MigrationRequest[] array ? array[q] : requests[q];
            for (int k = 0; k < request.FolioPages; k++)
            {
                origin[length] = q;
                buffer[length++] = new MigrationPage(new PageRef(request.Page.Node, request.Page.Pfn + k), request.TargetNode) { Order = (byte)request.Order };
            }

            taken++;
        }

        return taken;
    }

    /// <summary>Folios given back to the LRU unmigrated when -ENOMEM ends the call.</summary>
    private async ValueTask PutBack(List<int> indexes, IReadOnlyList<MigrationRequest> requests, MigrationPage[] buffer, int[] origin, int[] errno, PageRef[] newPages)
    {
        for (int start = 0; start < indexes.Count;)
        {
            int taken = Fill(buffer, origin, requests, indexes, start, indexes.Count, out int length);
            Memory<MigrationPage> rest = buffer.AsMemory(0, length);
            foreach (ref MigrationPage p in rest.Span)
            {
                p.Result = -Errno.ENOMEM;
            }

            Begin(MigrationStep.PutbackLruPage, rest);
            await _backend.PutbackLruPage(rest, keepRetries: false);
            End(MigrationStep.PutbackLruPage, rest);
            for (int k = 0; k < length; k++)
            {
                errno[origin[k]] = -Errno.ENOMEM;
                newPages[origin[k]] = PageRef.None;
            }

            start += taken;
        }
    }

    /// <summary>
    /// migrate_pages_batch()'s first test on each folio (Linux 6.12): a folio of more than two
    /// pages that an unmap left partially mapped (on the deferred-split list) is split before it
    /// is migrated, whatever the reason (NUMA hinting's nosplit is for -ENOMEM only). A split
    /// folio counts as one failure and one split (nr_failed, nr_thp_failed, nr_thp_split,
    /// nr_split), its base pages go to the split list; a folio that cannot be split (a pin, a
    /// page lock held) goes on whole. Returns true when a folio of the batch was split.
    /// </summary>
    private async ValueTask<bool> SplitPartiallyMapped(IReadOnlyList<MigrationRequest> requests, List<int>? pending, int start, int taken, SplitFolios split)
    {
        List<int>? large = null;
        for (int i = 0; i < taken; i++)
        {
            int q = pending is null ? start + i : pending[start + i];
            if (requests[q].Order > 1)
            {
                (large ??= []).Add(q);
            }
        }

        if (large is null)
        {
            return false;
        }

        bool[] partial = await _backend.FoliosPartiallyMapped([.. large.Select(q => requests[q].Page)]);
        bool any = false;
        for (int k = 0; k < large.Count; k++)
        {
            MigrationRequest request = requests[large[k]];
            if (partial[k] && await _backend.SplitFolio(request.Page, request.Order))
            {
                split.Add(large[k], request);
                any = true;
            }
        }

        return any;
    }

    /// <summary>
    /// try_split_folio for the large folios that got -ENOMEM in the last batch: each splits into
    /// base pages, kept for the split list's pass, or, if it cannot be split, fails with
    /// -ENOMEM and ends the call (returns false). For MR_LONGTERM_PIN a folio that cannot be
    /// split (-EAGAIN) is retried on the next pass instead, to make the pin's migration likelier,
    /// and fails with -EAGAIN after the last one without ending the call.
    /// </summary>
    private async ValueTask<bool> SplitCandidates(SplitFolios split, IReadOnlyList<MigrationRequest> requests, List<int>? retry, MigrateReason reason, int[] errno, PageRef[] newPages)
    {
        bool ok = true;
        foreach (int q in split.TakeCandidates())
        {
            MigrationRequest request = requests[q];
            if (ok && await _backend.SplitFolio(request.Page, request.Order))
            {
                split.Add(q, request);
                continue;
            }

            if (ok && reason == MigrateReason.LongtermPin && retry is not null)
            {
                // Still isolated: the next pass tries it again.
                retry.Add(q);
                continue;
            }

            // Not split: the folio goes back whole; -ENOMEM ends the call (a long-term pin's last try only fails it).
            bool retried = ok && reason == MigrateReason.LongtermPin;
            int rc = retried ? -Errno.EAGAIN : -Errno.ENOMEM;
            ok = retried;
            var back = new MigrationPage[request.FolioPages];
            for (int k = 0; k < back.Length; k++)
            {
                back[k] = new MigrationPage(new PageRef(request.Page.Node, request.Page.Pfn + k), request.TargetNode) { Order = (byte)request.Order, Result = rc };
            }

            Begin(MigrationStep.PutbackLruPage, back);
            await _backend.PutbackLruPage(back, keepRetries: false);
            End(MigrationStep.PutbackLruPage, back);
            errno[q] = rc;
            newPages[q] = PageRef.None;
        }

        return ok;
    }

    /// <summary>
    /// The split list's pass, as migrate_pages() runs it after the batch: MIGRATE_ASYNC, one try,
    /// no failure counted for the folio again. After -ENOMEM the pages go back unmigrated.
    /// </summary>
    private async ValueTask MigrateSplitPages(SplitFolios split, bool outOfMemory, MigrationPage[] buffer, int[] origin, int[] errno, PageRef[] newPages)
    {
        IReadOnlyList<MigrationRequest> pages = split.Pages;
        var pageErrno = new int[pages.Count];
        var pageNew = new PageRef[pages.Count];
        if (outOfMemory)
        {
            await PutBack([.. Enumerable.Range(0, pages.Count)], pages, buffer, origin, pageErrno, pageNew);
        }
        else
        {
            int pass = _options.MaxPasses;
            _observer.PassStarted(pass, pages.Count);
            bool stop = false;
            int done = 0;
            for (int start = 0; start < pages.Count && !stop;)
            {
                int taken = Fill(buffer, origin, pages, null, start, pages.Count, out int length);
                Memory<MigrationPage> batch = buffer.AsMemory(0, length);
                BeginPages(pass, batch.Span);
                _clock?.BeginBatch(0, MigrateMode.Async);
                await MigrateBatch(batch, MigrateMode.Async, force: false, keepRetries: false);
                stop = EndPages(pass, batch.Span, origin.AsSpan(0, length), null, pageErrno, pageNew, null);
                start += taken;
                done = start;
            }

            if (stop && done < pages.Count)
            {
                await PutBack([.. Enumerable.Range(done, pages.Count - done)], pages, buffer, origin, pageErrno, pageNew);
            }

            _observer.PassEnded(pass, 0);
        }

        split.Finish(pageErrno, pageNew, errno, newPages);
    }

    /// <summary>One batch through every step, in the seed's order. Failed pages skip forward steps and are undone by 11, 16, 19 and 20.</summary>
    private async ValueTask MigrateBatch(Memory<MigrationPage> batch, MigrateMode mode, bool force, bool keepRetries)
    {
        Begin(MigrationStep.LockPage, batch);
        await _backend.LockPage(batch, mode, force);
        End(MigrationStep.LockPage, batch);
        int writebackWaits = _backend.WritebackWaits;
        Begin(MigrationStep.WaitOnPageWriteback, batch);
        await _backend.WaitOnPageWriteback(batch, mode, force);
        End(MigrationStep.WaitOnPageWriteback, batch, writebackWaits: _backend.WritebackWaits - writebackWaits);
        // Allocation on the target nodes is ordered by simulated time too: side-by-side calls share their free lists.
        await Reach(MigrationStep.LockNewPage);
        await Step(MigrationStep.LockNewPage, batch, _backend.LockNewPage);
        if (_splitOnNoMemory)
        {
            MarkSplitRetries(batch.Span);
        }

        _converted.Clear();
        await Reach(MigrationStep.TryToUnmap);
        Begin(MigrationStep.TryToUnmap, batch);
        await _backend.TryToUnmap(batch, _converted);
        ReportSetMigrationPtes(batch.Span, CollectionsMarshal.AsSpan(_converted));
        End(MigrationStep.TryToUnmap, batch, CollectionsMarshal.AsSpan(_converted));

        // Anonymous pages have no mapping: steps 5, 7, 9 and 11 are skipped when no file page is left.
        if (AnyInFlightFile(batch.Span))
        {
            await Step(MigrationStep.RadixTreeLock, batch, _backend.RadixTreeLock);
        }

        await Step(MigrationStep.PageRefcountCheck, batch, _backend.PageRefcountCheck);
        if (AnyInFlightFile(batch.Span))
        {
            await Step(MigrationStep.RadixTreeCheck, batch, _backend.RadixTreeCheck);
        }

        await Step(MigrationStep.PrepNewPage, batch, _backend.PrepNewPage);
        if (AnyInFlightFile(batch.Span))
        {
            await Step(MigrationStep.RadixTreeReplace, batch, _backend.RadixTreeReplace);
        }

        await Step(MigrationStep.PageRefTransfer, batch, _backend.PageRefTransfer);
        if (AnyTreeLocked(batch.Span))
        {
            await Step(MigrationStep.RadixTreeUnlock, batch, _backend.RadixTreeUnlock);
        }

        await Step(MigrationStep.CopyPage, batch, _backend.CopyPage);
        await Step(MigrationStep.CopyPageFlags, batch, _backend.CopyPageFlags);
        await Step(MigrationStep.ClearPageFlags, batch, _backend.ClearPageFlags);
        await Step(MigrationStep.QueueWriteback, batch, _backend.QueueWriteback);

        await Reach(MigrationStep.RemoveMigrationPtes);
        Begin(MigrationStep.RemoveMigrationPtes, batch);
        if (_convertedBuffer.Length < _converted.Count)
        {
            _convertedBuffer = new MigrationPte[Math.Max(_converted.Count, _convertedBuffer.Length * 2)];
        }

        _converted.CopyTo(_convertedBuffer);
        ReadOnlyMemory<MigrationPte> converted = _convertedBuffer.AsMemory(0, _converted.Count);
        await _backend.RemoveMigrationPtes(batch, converted);
        ReportRemoveMigrationPtes(batch.Span, converted.Span);
        End(MigrationStep.RemoveMigrationPtes, batch, converted.Span);

        _woken.Clear();
        await Reach(MigrationStep.UnlockPage);
        Begin(MigrationStep.UnlockPage, batch);
        await _backend.UnlockPage(batch, _woken);
        End(MigrationStep.UnlockPage, batch);
        if (_woken.Count > 0)
        {
            PageLockWaiter[] woken = _woken.ToArray();
            _observer.WaitersWoken(woken);
            // The sleepers wake when unlock_page ends: the next gate hands them to their tasks.
            _lastWoken = _lastWoken.Length == 0 ? woken : [.. _lastWoken, .. woken];
            _lastWokenAtNs = _clock?.NowNs ?? 0;
        }

        Begin(MigrationStep.PutbackLruPage, batch);
        await _backend.PutbackLruPage(batch, keepRetries);
        End(MigrationStep.PutbackLruPage, batch);
    }

    /// <summary>
    /// Each page's outcome in this pass: -EAGAIN goes on <paramref name="retry"/> for the next
    /// pass (null on the last pass), anything else is final. Returns true if a page got -ENOMEM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool EndPages(int pass, ReadOnlySpan<MigrationPage> batch, ReadOnlySpan<int> origin, List<int>? retry, int[] errno, PageRef[] newPages, SplitFolios? split)
    {
        bool outOfMemory = false;
        for (int k = 0; k < batch.Length; k++)
        {
            ref readonly MigrationPage p = ref batch[k];
            if (p.IsFolioTail)
            {
                // A folio's pages share its outcome: the head reports it.
                continue;
            }

            int rc = p.Result;
            _observer.PageEnded(pass, p, rc);
            if (p.Has(MigrationProgress.SplitRetry) && split is not null)
            {
                // -ENOMEM on a large folio: it is split and its base pages retried (try_split_folio).
                split.Candidate(origin[k]);
                continue;
            }

            if (rc == -Errno.EAGAIN && retry is not null)
            {
                // Stays isolated and on the list: the next pass retries it.
                retry.Add(origin[k]);
                continue;
            }

            errno[origin[k]] = rc;
            newPages[origin[k]] = rc == 0 ? p.New : PageRef.None;
            outOfMemory |= rc == -Errno.ENOMEM;
        }

        return outOfMemory;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BeginPages(int pass, Span<MigrationPage> batch)
    {
        foreach (ref MigrationPage p in batch)
        {
            p.Result = 0;
            p.Progress = MigrationProgress.None;
            p.New = PageRef.None;
            if (!p.IsFolioTail)
            {
                _observer.PageStarted(pass, p);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReportSetMigrationPtes(ReadOnlySpan<MigrationPage> batch, ReadOnlySpan<MigrationPte> converted)
    {
        foreach (ref readonly MigrationPte m in converted)
        {
            _observer.SetMigrationPte(batch[m.BatchIndex].Old, m.Pte);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReportRemoveMigrationPtes(ReadOnlySpan<MigrationPage> batch, ReadOnlySpan<MigrationPte> converted)
    {
        foreach (ref readonly MigrationPte m in converted)
        {
            ref readonly MigrationPage p = ref batch[m.BatchIndex];
            _observer.RemoveMigrationPte(p.Result == 0 ? p.New : p.Old, m.Pte);
        }
    }

    /// <summary>A step that takes nothing but the batch: reported as started, run, reported as ended.</summary>
    private async ValueTask Step(MigrationStep step, Memory<MigrationPage> batch, Func<Memory<MigrationPage>, ValueTask> run)
    {
        Begin(step, batch);
        await run(batch);
        End(step, batch);
    }

    private void Begin(MigrationStep step, Memory<MigrationPage> batch)
    {
        _clock?.BeginStep(step, batch.Span);
        _observer.StepStarted(step, batch.Span);
    }

    private void End(MigrationStep step, Memory<MigrationPage> batch, ReadOnlySpan<MigrationPte> ptes = default, int writebackWaits = 0)
    {
        ShareFolioOutcomes(batch.Span);
        _clock?.EndStep(step, ptes, writebackWaits);
        _observer.StepEnded(step, batch.Span);
    }

    /// <summary>Before a step tasks can see: wait for them to reach its simulated time, handing over the tasks woken since the last gate.</summary>
    private async ValueTask Reach(MigrationStep step)
    {
        if (_clock?.Gate is null)
        {
            return;
        }
        PageLockWaiter[] woken = _lastWoken;
        _lastWoken = [];
        await _clock.ReachAsync(step, woken, _lastWokenAtNs);
    }

    /// <summary>
    /// A large folio migrates or fails as one: after each step, the first error any of its pages
    /// got (in page order) becomes the folio's, so the undo steps treat all its pages alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShareFolioOutcomes(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length;)
        {
            int nr = batch[i].FolioPages;
            if (nr == 1 || batch[i].IsFolioTail)
            {
                i++;
                continue;
            }

            int end = Math.Min(batch.Length, i + nr), rc = 0;
            MigrationProgress shared = batch[i].Progress & (MigrationProgress.FreedUnderUs | MigrationProgress.SplitRetry);
            for (int k = i; k < end && rc == 0; k++)
            {
                rc = batch[k].Result;
            }

            for (int k = i; k < end; k++)
            {
                batch[k].Result = rc;
                batch[k].Progress |= shared;
            }

            i = end;
        }
    }

    /// <summary>Large folios that got -ENOMEM at allocation (not NUMA hinting's, which never split) stay isolated to be split.</summary>
    private static void MarkSplitRetries(Span<MigrationPage> batch)
    {
        foreach (ref MigrationPage p in batch)
        {
            if (p.Order > 0 && p.Result == -Errno.ENOMEM && !p.Has(MigrationProgress.NewAllocated))
            {
                p.Progress |= MigrationProgress.SplitRetry;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AnyInFlightFile(ReadOnlySpan<MigrationPage> batch)
    {
        foreach (ref readonly MigrationPage p in batch)
        {
            if (p.InFlight && p.IsFile)
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AnyTreeLocked(ReadOnlySpan<MigrationPage> batch)
    {
        foreach (ref readonly MigrationPage p in batch)
        {
            if (p.Has(MigrationProgress.TreeLocked))
            {
                return true;
            }
        }

        return false;
    }
}
