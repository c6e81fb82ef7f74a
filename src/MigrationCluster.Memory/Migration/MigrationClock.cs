using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The simulated clock of one migrate_pages call (one simulated CPU): each step starts at
/// <see cref="NowNs"/> and moves it by the step's cost, a deterministic function of the batch
/// (docs/simulated-time.md). Whole nanoseconds, so sums do not depend on the order they are
/// added in. With a <see cref="Gate"/>, the steps tasks can see wait there for the tasks.
/// The <see cref="Protocol"/> decides how a batch is charged: per page (each page through each
/// step's function on its own, a TLB shootdown per unmapped PTE) or batched (the fixed costs
/// once per batch, one shootdown for the batch's unmaps).
/// </summary>
public sealed class MigrationClock
{
    private readonly CostModel _cost;
    private readonly CostModelOptions _o;
    private readonly Dictionary<MigrationStep, List<long>> _batches = [];
    private readonly Dictionary<(int From, int To, int Pages), long> _copyNs = [];
    private readonly HashSet<int> _spaces = [];
    private int _touched, _files;
    private long _copy, _copiedPages;
    private bool _perPage = true;

    /// <param name="cpusPerProcess">The CPUs each process runs on besides the migrating one: a shootdown's IPIs go to them.</param>
    public MigrationClock(CostModel cost, IMigrationTimeGate? gate = null, MigrationProtocolKind protocol = MigrationProtocolKind.PerPage, int cpusPerProcess = 0)
    {
        ArgumentNullException.ThrowIfNull(cost);
        ArgumentOutOfRangeException.ThrowIfNegative(cpusPerProcess);
        _cost = cost;
        _o = cost.Options;
        Gate = gate;
        Protocol = protocol;
        CpusPerProcess = cpusPerProcess;
    }

    public MigrationProtocolKind Protocol { get; }

    public int CpusPerProcess { get; }

    /// <summary>IPIs sent by TLB shootdowns (each to one target CPU).</summary>
    public long TlbIpis { get; private set; }

    /// <summary>What the syscall around the migration cost (entry, lru_add_drain_all, isolation), in the clock's time.</summary>
    public long SyscallNs { get; private set; }

    /// <summary>
    /// A batch starts: batched charging for the batched protocol, except where the kernel falls
    /// back to one page at a time (a sync mode's retries after the first pass, as
    /// migrate_pages_sync retries what the asynchronous batch failed).
    /// </summary>
    public void BeginBatch(int pass, MigrateMode mode) =>
        _perPage = Protocol == MigrationProtocolKind.PerPage || (pass > 0 && mode != MigrateMode.Async);

    /// <summary>The migration syscall's own costs before its pages reach migrate_pages().</summary>
    public void ChargeSyscall(int pages)
    {
        long ns = (long)Math.Round(_cost.MigrateSyscallNs(pages));
        SyscallNs += ns;
        NowNs += ns;
    }

    public IMigrationTimeGate? Gate { get; }

    /// <summary>Simulated nanoseconds since the call started.</summary>
    public long NowNs { get; private set; }

    /// <summary>When the current (or last) step started.</summary>
    public long StepStartNs { get; private set; }

    /// <summary>How long the last step took.</summary>
    public long StepDurationNs { get; private set; }

    /// <summary>TLB shootdowns: one per PTE unmapped (per page), or one per batch that unmapped any (batched).</summary>
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
        // Per page, each page runs the step's function on its own: the fixed cost is per page.
        double ns = (_perPage ? _o.StepNs * _touched : _o.StepNs) + step switch
        {
            MigrationStep.LockPage => _o.PageLockNs * _touched,
            MigrationStep.WaitOnPageWriteback => (_o.PageFlagNs * _touched) + (_o.WritebackWaitNs * writebackWaits),
            MigrationStep.LockNewPage => _o.PageAllocNs * _touched,
            MigrationStep.TryToUnmap => _cost.PteUpdatesNs(PageTableUpdates(ptes)) + Shootdowns(ptes),
            MigrationStep.RadixTreeLock or MigrationStep.RadixTreeCheck or MigrationStep.RadixTreeReplace or MigrationStep.RadixTreeUnlock => _o.RadixTreeNs * _files,
            MigrationStep.CopyPage => _copy,
            MigrationStep.RemoveMigrationPtes => _cost.RemapsNs(PageTableUpdates(ptes)),
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

    /// <summary>
    /// The shootdowns of try_to_unmap and what they cost. Per page, ptep_clear_flush flushes each
    /// PTE at once, with an IPI to every CPU its process runs on. Batched, the flushes are
    /// deferred (TTU_BATCH_FLUSH) and try_to_unmap_flush sends one round of IPIs to the union of
    /// those CPUs.
    /// </summary>
    private double Shootdowns(ReadOnlySpan<MigrationPte> ptes)
    {
        if (ptes.Length == 0)
        {
            return 0;
        }
        if (_perPage)
        {
            // A PMD migration entry is one flush for all the pages it maps.
            int entries = PageTableUpdates(ptes);
            int targets = _cost.TargetCpus(CpusPerProcess);
            TlbShootdowns += entries;
            TlbIpis += (long)entries * targets;
            return entries * _cost.TlbShootdownNs(targets);
        }
        _spaces.Clear();
        foreach (ref readonly MigrationPte m in ptes)
        {
            _spaces.Add(m.Pte.Space);
        }
        int union = _cost.TargetCpus((long)_spaces.Count * CpusPerProcess);
        TlbShootdowns++;
        TlbIpis += union;
        return _cost.TlbShootdownNs(union);
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

    // A folio's copy is one copy of its size (folio_copy): the cost model's one entry point, in bytes.
    private long CopyNs(int from, int to, int pages)
    {
        if (!_copyNs.TryGetValue((from, to, pages), out long ns))
        {
            _copyNs[(from, to, pages)] = ns = (long)Math.Round(_cost.CopyNs(from, to, (long)pages * _cost.PageSize));
        }
        return ns;
    }

    /// <summary>Before a step tasks can see: the gate lets it go once every task has reached its start.</summary>
    public ValueTask ReachAsync(MigrationStep step, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs) =>
        Gate is null ? ValueTask.CompletedTask : Gate.Reach(step, NowNs, woken, wokenAtNs);

    /// <summary>Bytes per base page, for throughput figures.</summary>
    public int PageBytes => _cost.PageSize;
}
