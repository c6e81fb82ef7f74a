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

    public MigrationProtocol(IMigrationBackend backend, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _observer = observer ?? MigrationObserver.None;
        _options = options ?? new MigrationProtocolOptions();
        _options.Validate();
    }

    public async ValueTask<MigrateResult> MigratePages(IReadOnlyList<MigrationRequest> requests, MigrateMode mode, MigrateReason reason)
    {
        ArgumentNullException.ThrowIfNull(requests);
        int n = requests.Count;
        var errno = new int[n];
        var newPages = new PageRef[n];

        // The pages still to do, compacted to the front at each pass; origin[i] is the request index.
        var work = new MigrationPage[n];
        var origin = new int[n];
        for (int i = 0; i < n; i++)
        {
            work[i] = new MigrationPage(requests[i].Page, requests[i].TargetNode);
            origin[i] = i;
            newPages[i] = PageRef.None;
        }

        _observer.MigrationStarted(mode, reason, n);
        int pending = n, succeeded = 0, failed = 0, passes = 0;
        bool outOfMemory = false;

        for (int pass = 0; pass < _options.MaxPasses && pending > 0 && !outOfMemory; pass++)
        {
            passes++;
            bool force = pass >= _options.ForcePass;
            bool lastPass = pass == _options.MaxPasses - 1;
            _observer.PassStarted(pass, pending);
            int retry = 0, done = 0;

            for (int start = 0; start < pending; start += _options.BatchSize)
            {
                int length = Math.Min(_options.BatchSize, pending - start);
                Memory<MigrationPage> batch = work.AsMemory(start, length);
                BeginPages(pass, batch.Span);
                await MigrateBatch(batch, mode, force, keepRetries: !lastPass);

                for (int i = start; i < start + length; i++)
                {
                    ref MigrationPage p = ref work[i];
                    int rc = p.Result;
                    _observer.PageEnded(pass, p, rc);
                    if (rc == -Errno.EAGAIN && !lastPass)
                    {
                        // Stays isolated and on the list: the next pass retries it.
                        work[retry] = p;
                        origin[retry] = origin[i];
                        retry++;
                        continue;
                    }

                    errno[origin[i]] = rc;
                    if (rc == 0)
                    {
                        succeeded++;
                        newPages[origin[i]] = p.New;
                    }
                    else
                    {
                        failed++;
                        outOfMemory |= rc == -Errno.ENOMEM;
                    }
                }

                done = start + length;
                if (outOfMemory)
                {
                    break;
                }
            }

            if (outOfMemory)
            {
                // -ENOMEM ends migrate_pages: the pages not done go back to the LRU.
                for (int i = done; i < pending; i++)
                {
                    work[retry] = work[i];
                    origin[retry] = origin[i];
                    retry++;
                }

                if (retry > 0)
                {
                    Memory<MigrationPage> rest = work.AsMemory(0, retry);
                    foreach (ref MigrationPage p in rest.Span)
                    {
                        p.Result = -Errno.ENOMEM;
                        p.Progress = MigrationProgress.None;
                        p.New = PageRef.None;
                    }

                    Begin(MigrationStep.PutbackLruPage, rest);
                    await _backend.PutbackLruPage(rest, keepRetries: false);
                    End(MigrationStep.PutbackLruPage, rest);
                    for (int i = 0; i < retry; i++)
                    {
                        errno[origin[i]] = -Errno.ENOMEM;
                        failed++;
                    }
                }

                retry = 0;
            }

            _observer.PassEnded(pass, retry);
            pending = retry;
        }

        var result = new MigrateResult(
            outOfMemory ? -Errno.ENOMEM : failed,
            succeeded,
            failed,
            passes,
            mode,
            reason,
            errno,
            newPages);
        _observer.MigrationEnded(result);
        return result;
    }

    /// <summary>One batch through every step, in the seed's order. Failed pages skip forward steps and are undone by 11, 16, 19 and 20.</summary>
    private async ValueTask MigrateBatch(Memory<MigrationPage> batch, MigrateMode mode, bool force, bool keepRetries)
    {
        Begin(MigrationStep.LockPage, batch);
        await _backend.LockPage(batch, mode, force);
        End(MigrationStep.LockPage, batch);
        Begin(MigrationStep.WaitOnPageWriteback, batch);
        await _backend.WaitOnPageWriteback(batch, mode, force);
        End(MigrationStep.WaitOnPageWriteback, batch);
        Begin(MigrationStep.LockNewPage, batch);
        await _backend.LockNewPage(batch);
        End(MigrationStep.LockNewPage, batch);

        _converted.Clear();
        Begin(MigrationStep.TryToUnmap, batch);
        await _backend.TryToUnmap(batch, _converted);
        foreach (MigrationPte m in _converted)
        {
            _observer.SetMigrationPte(batch.Span[m.BatchIndex].Old, m.Pte);
        }

        End(MigrationStep.TryToUnmap, batch);

        // Anonymous pages have no mapping: steps 5, 7, 9 and 11 are skipped when no file page is left.
        if (Any(batch, static p => p.InFlight && p.IsFile))
        {
            Begin(MigrationStep.RadixTreeLock, batch);
            await _backend.RadixTreeLock(batch);
            End(MigrationStep.RadixTreeLock, batch);
        }

        Begin(MigrationStep.PageRefcountCheck, batch);
        await _backend.PageRefcountCheck(batch);
        End(MigrationStep.PageRefcountCheck, batch);
        if (Any(batch, static p => p.InFlight && p.IsFile))
        {
            Begin(MigrationStep.RadixTreeCheck, batch);
            await _backend.RadixTreeCheck(batch);
            End(MigrationStep.RadixTreeCheck, batch);
        }

        Begin(MigrationStep.PrepNewPage, batch);
        await _backend.PrepNewPage(batch);
        End(MigrationStep.PrepNewPage, batch);
        if (Any(batch, static p => p.InFlight && p.IsFile))
        {
            Begin(MigrationStep.RadixTreeReplace, batch);
            await _backend.RadixTreeReplace(batch);
            End(MigrationStep.RadixTreeReplace, batch);
        }

        Begin(MigrationStep.PageRefTransfer, batch);
        await _backend.PageRefTransfer(batch);
        End(MigrationStep.PageRefTransfer, batch);
        if (Any(batch, static p => p.Has(MigrationProgress.TreeLocked)))
        {
            Begin(MigrationStep.RadixTreeUnlock, batch);
            await _backend.RadixTreeUnlock(batch);
            End(MigrationStep.RadixTreeUnlock, batch);
        }

        Begin(MigrationStep.CopyPage, batch);
        await _backend.CopyPage(batch);
        End(MigrationStep.CopyPage, batch);
        Begin(MigrationStep.CopyPageFlags, batch);
        await _backend.CopyPageFlags(batch);
        End(MigrationStep.CopyPageFlags, batch);
        Begin(MigrationStep.ClearPageFlags, batch);
        await _backend.ClearPageFlags(batch);
        End(MigrationStep.ClearPageFlags, batch);
        Begin(MigrationStep.QueueWriteback, batch);
        await _backend.QueueWriteback(batch);
        End(MigrationStep.QueueWriteback, batch);

        Begin(MigrationStep.RemoveMigrationPtes, batch);
        if (_convertedBuffer.Length < _converted.Count)
        {
            _convertedBuffer = new MigrationPte[Math.Max(_converted.Count, _convertedBuffer.Length * 2)];
        }

        _converted.CopyTo(_convertedBuffer);
        ReadOnlyMemory<MigrationPte> converted = _convertedBuffer.AsMemory(0, _converted.Count);
        await _backend.RemoveMigrationPtes(batch, converted);
        foreach (MigrationPte m in converted.Span)
        {
            MigrationPage p = batch.Span[m.BatchIndex];
            _observer.RemoveMigrationPte(p.Result == 0 ? p.New : p.Old, m.Pte);
        }

        End(MigrationStep.RemoveMigrationPtes, batch);

        _woken.Clear();
        Begin(MigrationStep.UnlockPage, batch);
        await _backend.UnlockPage(batch, _woken);
        End(MigrationStep.UnlockPage, batch);
        if (_woken.Count > 0)
        {
            _observer.WaitersWoken(_woken.ToArray());
        }

        Begin(MigrationStep.PutbackLruPage, batch);
        await _backend.PutbackLruPage(batch, keepRetries);
        End(MigrationStep.PutbackLruPage, batch);
    }

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

    private void Begin(MigrationStep step, Memory<MigrationPage> batch) => _observer.StepStarted(step, batch.Span);

    private void End(MigrationStep step, Memory<MigrationPage> batch) => _observer.StepEnded(step, batch.Span);

    private static bool Any(Memory<MigrationPage> batch, Func<MigrationPage, bool> predicate)
    {
        foreach (MigrationPage p in batch.Span)
        {
            if (predicate(p))
            {
                return true;
            }
        }

        return false;
    }
}
