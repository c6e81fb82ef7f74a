using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Cost;

/// <summary>
/// Deterministic costs of accesses, copies, PTE changes and TLB shootdowns. Built from a
/// <see cref="MachineProfile"/> (measured latencies and bandwidths per node pair), or, when no
/// machine is given, from SLIT distances alone: latency grows and copy bandwidth falls with
/// distance / 10, for a topology of any size (docs/machines.md says what that model is worth).
/// </summary>
public sealed class CostModel
{
    private readonly Func<int, int, double> _latencyNs;
    private readonly Func<int, int, double> _bytesPerNs;
    private readonly Func<int, double> _nodeBytesPerNs;

    public CostModel(NumaTopology topology, CostModelOptions? options = null)
        : this(topology is null ? throw new ArgumentNullException(nameof(topology)) : topology.Distance, options, topology.Nodes.Sum(n => n.Cpus.Count > 0 ? (options ?? new CostModelOptions()).CpusPerNode : 0))
    {
    }

    /// <summary>A cost model over a SLIT distance function (node ids to distance, 10 = local).</summary>
    public CostModel(Func<int, int, int> distance, CostModelOptions? options = null, int cpus = 0)
    {
        ArgumentNullException.ThrowIfNull(distance);
        Options = options ?? new CostModelOptions();
        Options.Validate();
        var o = Options;
        _latencyNs = (from, to) => o.LocalAccessNs * distance(from, to) / NumaTopology.LocalDistance;
        _bytesPerNs = (from, to) => o.LocalCopyBytesPerNs * NumaTopology.LocalDistance / distance(from, to);
        _nodeBytesPerNs = _ => double.PositiveInfinity;
        PageSize = PageContents.PageSize;
        Cpus = cpus > 0 ? cpus : 2 * o.CpusPerNode;
    }

    /// <summary>The cost model of a described machine: its latencies, bandwidths, CPUs and fixed costs.</summary>
    public CostModel(MachineProfile machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        Machine = machine;
        Options = machine.Costs;
        Options.Validate();
        double[][] latency = machine.LatencyNs, copy = machine.CopyGbPerS;
        double[] shared = machine.NodeCopyGbPerS;
        // GB/s are bytes per ns. A node outside the table (never, once validated) costs as the farthest pair.
        _latencyNs = (from, to) => InTable(from, to, latency.Length) ? latency[from][to] : latency.Max(r => r.Max());
        _bytesPerNs = (from, to) => InTable(from, to, copy.Length) ? copy[from][to] : copy.Min(r => r.Min());
        _nodeBytesPerNs = node => node >= 0 && node < shared.Length ? shared[node] : shared.Min();
        PageSize = machine.PageSize;
        Cpus = machine.Cpus;
    }

    public CostModelOptions Options { get; }

    /// <summary>The described machine, or null for the SLIT-derived model.</summary>
    public MachineProfile? Machine { get; }

    /// <summary>The base page size in bytes.</summary>
    public int PageSize { get; }

    /// <summary>CPUs of the whole machine (lru_add_drain_all reaches every one; a shootdown at most all but the sender).</summary>
    public int Cpus { get; }

    /// <summary>Latency of one access from a CPU on <paramref name="from"/> to memory on <paramref name="to"/>.</summary>
    public double AccessNs(int from, int to) => _latencyNs(from, to);

    /// <summary>
    /// The one entry point for copies: <paramref name="bytes"/> (a base page, or a folio of
    /// 4 KiB..2 MiB) from memory of <paramref name="from"/> to memory of <paramref name="to"/>, at
    /// one CPU's copy bandwidth for that pair, capped by each node's shared bandwidth divided
    /// among the <paramref name="sharers"/> copies that run on it at once.
    /// </summary>
    public double CopyNs(int from, int to, long bytes, int sharers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(sharers, 1);
        double bandwidth = Math.Min(_bytesPerNs(from, to), Math.Min(_nodeBytesPerNs(from), _nodeBytesPerNs(to)) / sharers);
        return bytes / bandwidth;
    }

    /// <summary>Time to copy one base page between nodes.</summary>
    public double CopyPageNs(int from, int to) => CopyNs(from, to, PageSize);

    public double PteUpdatesNs(int count) => Options.PteUpdateNs * count;

    /// <summary>Local TLB flushes alone (the in-process model's running total; the migration clock costs shootdowns).</summary>
    public double TlbFlushesNs(int count) => Options.TlbFlushNs * count;

    public double RemapsNs(int count) => Options.RemapNs * count;

    /// <summary>One TLB shootdown: the local flush, plus an IPI to each of <paramref name="targetCpus"/> other CPUs.</summary>
    public double TlbShootdownNs(int targetCpus) => Options.TlbFlushNs + (Options.TlbIpiNs * targetCpus);

    /// <summary>The CPUs a shootdown reaches when processes run on <paramref name="cpus"/> CPUs besides the migrating one.</summary>
    public int TargetCpus(long cpus) => (int)Math.Clamp(cpus, 0, Math.Max(0, Cpus - 1));

    /// <summary>
    /// What a migration syscall costs before its pages reach migrate_pages(): the entry, one
    /// lru_add_drain_all() over every CPU, and finding and isolating each of <paramref name="pages"/>.
    /// </summary>
    public double MigrateSyscallNs(int pages) => Options.SyscallNs + (Options.LruDrainIpiNs * Cpus) + (Options.IsolateNs * pages);

    private static bool InTable(int from, int to, int nodes) => from >= 0 && to >= 0 && from < nodes && to < nodes;
}
