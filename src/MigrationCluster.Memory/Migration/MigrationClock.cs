using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The simulated clock of one migrate_pages call (one simulated CPU): each step starts at
/// <see cref="NowNs"/> and moves it by the step's cost, a deterministic function of the batch
/// (docs/simulated-time.md). Whole nanoseconds, so sums do not depend on the order they are
/// added in. With a <see cref="Gate"/>, the steps tasks can see wait there for the tasks.
/// </summary>
public sealed class MigrationClock
{
    private readonly CostModel _cost;
    private readonly CostModelOptions _o;
    private readonly Dictionary<MigrationStep, List<long>> _batches = [];
    private readonly Dictionary<(int From, int To), long> _copyNs = [];
    private readonly HashSet<int> _spaces = [];
    private int _touched, _files;
    private long _copy, _copiedPages;

    public MigrationClock(CostModel cost, IMigrationTimeGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(cost);
        _cost = cost;
        _o = cost.Options;
        Gate = gate;
    }

    public IMigrationTimeGate? Gate { get; }

    /// <summary>Simulated nanoseconds since the call started.</summary>
    public long NowNs { get; private set; }

    /// <summary>When the current (or last) step started.</summary>
    public long StepStartNs { get; private set; }

    /// <summary>How long the last step took.</summary>
    public long StepDurationNs { get; private set; }

    /// <summary>TLB shootdowns: one per batch and address space that lost a PTE in try_to_unmap.</summary>
    public long TlbShootdowns { get; private set; }

    /// <summary>Base pages copied by copy_page (folio_copy).</summary>
    public long PagesCopied { get; private set; }

    /// <summary>Folios copied (a large folio is one).</summary>
    public long FoliosCopied { get; private set; }

    /// <summary>Every step's duration per batch, in the order of the step table.</summary>
    public IReadOnlyList<StepSimulatedTimes> Steps => [.. MigrationSteps.InOrder
        .Where(_batches.ContainsKey)
        .Select(s => new StepSimulatedTimes(s.Number(), s.KernelName(), [.. _batches[s]]))];

    /// <summary>Counts what the step will touch, read before the step changes the pages.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void BeginStep(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        StepStartNs = NowNs;
        _touched = 0;
        _files = 0;
        _copy = 0;
        _copiedPages = 0;
        foreach (ref readonly MigrationPage p in batch)
        {
            // A large folio is locked, allocated, copied and put back as one: its head stands for it.
            if (p.IsFolioTail || !step.Touches(p, out _))
            {
                continue;
            }
            _touched++;
            if (p.IsFile)
            {
                _files++;
            }
            if (step == MigrationStep.CopyPage)
            {
                _copy += CopyNs(p.Old.Node, p.TargetNode, p.FolioPages);
                _copiedPages += p.FolioPages;
            }
        }
    }

    /// <summary>
    /// Charges the step: <paramref name="ptes"/> are the PTEs it changed (steps 4 and 16),
    /// <paramref name="writebackWaits"/> the pages a sync mode waited for (step 2).
    /// </summary>
    public void EndStep(MigrationStep step, ReadOnlySpan<MigrationPte> ptes = default, int writebackWaits = 0)
    {
        double ns = _o.StepNs + step switch
        {
            MigrationStep.LockPage => _o.PageLockNs * _touched,
            MigrationStep.WaitOnPageWriteback => (_o.PageFlagNs * _touched) + (_o.WritebackWaitNs * writebackWaits),
            MigrationStep.LockNewPage => _o.PageAllocNs * _touched,
            MigrationStep.TryToUnmap => _cost.PteUpdatesNs(PageTableUpdates(ptes)) + _cost.TlbFlushesNs(Shootdowns(ptes)),
            MigrationStep.RadixTreeLock or MigrationStep.RadixTreeCheck or MigrationStep.RadixTreeReplace or MigrationStep.RadixTreeUnlock => _o.RadixTreeNs * _files,
            MigrationStep.CopyPage => _copy,
            MigrationStep.RemoveMigrationPtes => _cost.PteUpdatesNs(PageTableUpdates(ptes)),
            MigrationStep.UnlockPage => _o.PageLockNs * 2 * _touched,
            MigrationStep.PutbackLruPage => _o.LruNs * _touched,
            MigrationStep.PageRefTransfer => _o.PageFlagNs * 2 * _touched,
            _ => _o.PageFlagNs * _touched,
        };
        if (step == MigrationStep.CopyPage)
        {
            PagesCopied += _copiedPages;
            FoliosCopied += _touched;
        }
        StepDurationNs = (long)Math.Round(ns);
        NowNs = StepStartNs + StepDurationNs;
        if (!_batches.TryGetValue(step, out var list))
        {
            _batches[step] = list = [];
        }
        list.Add(StepDurationNs);
    }

    /// <summary>One shootdown per address space whose PTEs changed in this batch.</summary>
    private int Shootdowns(ReadOnlySpan<MigrationPte> ptes)
    {
        _spaces.Clear();
        foreach (ref readonly MigrationPte m in ptes)
        {
            _spaces.Add(m.Pte.Space);
        }
        TlbShootdowns += _spaces.Count;
        return _spaces.Count;
    }

    /// <summary>Entries changed: a PMD mapping is one, however many pages it maps.</summary>
    private static int PageTableUpdates(ReadOnlySpan<MigrationPte> ptes)
    {
        int n = 0;
        foreach (ref readonly MigrationPte m in ptes)
        {
            n += m.PmdTail ? 0 : 1;
        }
        return n;
    }

    // A folio's copy is one copy of its size (folio_copy), costed as its base pages back to back.
    private long CopyNs(int from, int to, int pages)
    {
        if (!_copyNs.TryGetValue((from, to), out long ns))
        {
            _copyNs[(from, to)] = ns = (long)Math.Round(_cost.CopyPageNs(from, to));
        }
        return ns * pages;
    }

    /// <summary>Before a step tasks can see: the gate lets it go once every task has reached its start.</summary>
    public ValueTask ReachAsync(MigrationStep step, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs) =>
        Gate is null ? ValueTask.CompletedTask : Gate.Reach(step, NowNs, woken, wokenAtNs);

    /// <summary>Bytes per page, for throughput figures.</summary>
    public static int PageBytes => PageContents.PageSize;
}
