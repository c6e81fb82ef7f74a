using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Cost;

/// <summary>Deterministic costs of accesses, copies, PTE changes and TLB flushes, from SLIT distances.</summary>
public sealed class CostModel
{
    private readonly Func<int, int, int> _distance;

    public CostModel(NumaTopology topology, CostModelOptions? options = null)
        : this(topology is null ? throw new ArgumentNullException(nameof(topology)) : topology.Distance, options)
    {
    }

    /// <summary>A cost model over a SLIT distance function (node ids to distance, 10 = local).</summary>
    public CostModel(Func<int, int, int> distance, CostModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(distance);
        Options = options ?? new CostModelOptions();
        Options.Validate();
        _distance = distance;
    }

    public CostModelOptions Options { get; }

    /// <summary>Latency of one access from a CPU on <paramref name="from"/> to memory on <paramref name="to"/>.</summary>
    public double AccessNs(int from, int to) =>
        Options.LocalAccessNs * _distance(from, to) / NumaTopology.LocalDistance;

    /// <summary>Time to copy one 4 KiB page between nodes; bandwidth falls with distance.</summary>
    public double CopyPageNs(int from, int to)
    {
        double bandwidth = Options.LocalCopyBytesPerNs * NumaTopology.LocalDistance / _distance(from, to);
        return PageContents.PageSize / bandwidth;
    }

    public double PteUpdatesNs(int count) => Options.PteUpdateNs * count;

    public double TlbFlushesNs(int count) => Options.TlbFlushNs * count;
}
