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
        var newPages = new PageRef[n]; // each written once, with the page's final outcome

        // The pages go through the steps a batch at a time in one pooled descriptor buffer;
        // origin[k] is the request index of descriptor k. The first pass takes the requests in
        // order, later passes the request indexes that got -EAGAIN (pending).
        int bufferLength = Math.Max(1, Math.Min(_options.BatchSize, n));
        MigrationPage[] buffer = ArrayPool<MigrationPage>.Shared.Rent(bufferLength);
        int[] origin = ArrayPool<int>.Shared.Rent(bufferLength);
        List<int>? pending = null, retry = null;

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

                for (int start = 0; start < pendingCount; start += _options.BatchSize)
                {
                    int length = Math.Min(_options.BatchSize, pendingCount - start);
                    Fill(buffer, origin, requests, pending, start, length);
                    Memory<MigrationPage> batch = buffer.AsMemory(0, length);
                    BeginPages(pass, batch.Span);
                    _clock?.BeginBatch(pass, mode);
                    await MigrateBatch(batch, mode, force, keepRetries: !lastPass);
                    outOfMemory |= EndPages(pass, batch.Span, origin.AsSpan(0, length), lastPass ? null : retry, errno, newPages);
                    done = start + length;
                    if (outOfMemory)
                    {
                        break;
                    }
                }

                if (outOfMemory)
                {
                    // -ENOMEM ends migrate_pages: the retries and the pages not reached go back to the LRU.
                    for (int i = done; i < pendingCount; i++)
                    {
                        retry.Add(pending is null ? i : pending[i]);
                    }

                    for (int start = 0; start < retry.Count; start += _options.BatchSize)
                    {
                        int length = Math.Min(_options.BatchSize, retry.Count - start);
                        Fill(buffer, origin, requests, retry, start, length);
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
                    }

                    retry.Clear();
                }

                _observer.PassEnded(pass, retry.Count);
                pendingCount = retry.Count;
                (pending, retry) = (retry, pending);
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

        // Every page has its final errno now (the last pass retries none). The call's vm events
        // are counted here, once, as mm/migrate.c counts them at the end of migrate_pages().
        int succeeded = errno.AsSpan().Count(0), failed = n - succeeded;
        var result = new MigrateResult(
            outOfMemory ? -Errno.ENOMEM : failed,
            succeeded,
            failed,
            passes,
            mode,
            reason,
            errno,
            newPages,
            MigrationVmEvents.Of(succeeded, failed, reason))
        {
            SimulatedNs = (_clock?.NowNs ?? 0) - startedNs,
        };
        _observer.MigrationEnded(result);
        return result;
    }

    /// <summary>Fresh descriptors for requests <paramref name="start"/>.. of the pass (all requests in order when <paramref name="pending"/> is null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Fill(MigrationPage[] buffer, int[] origin, IReadOnlyList<MigrationRequest> requests, List<int>? pending, int start, int length)
    {
        for (int k = 0; k < length; k++)
        {
            int q = pending is null ? start + k : pending[start + k];
            MigrationRequest request = requests is MigrationRequest[] array ? array[q] : requests[q];
            origin[k] = q;
            buffer[k] = new MigrationPage(request.Page, request.TargetNode);
        }
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
    private bool EndPages(int pass, ReadOnlySpan<MigrationPage> batch, ReadOnlySpan<int> origin, List<int>? retry, int[] errno, PageRef[] newPages)
    {
        bool outOfMemory = false;
        for (int k = 0; k < batch.Length; k++)
        {
            ref readonly MigrationPage p = ref batch[k];
            int rc = p.Result;
            _observer.PageEnded(pass, p, rc);
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
            _observer.PageStarted(pass, p);
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
