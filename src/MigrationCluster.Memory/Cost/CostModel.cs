using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Cost;

/// <summary>Deterministic costs of accesses, copies, PTE changes and TLB flushes, from SLIT distances.</summary>
public sealed class CostModel
{
    private readonly NumaTopology _topology;

    public CostModel(NumaTopology topology, CostModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Options = options ?? new CostModelOptions();
        Options.Validate();
        _topology = topology;
    }

    public CostModelOptions Options { get; }

    /// <summary>Latency of one access from a CPU on <paramref name="from"/> to memory on <paramref name="to"/>.</summary>
    public double AccessNs(int from, int to) =>
        Options.LocalAccessNs * _topology.Distance(from, to) / NumaTopology.LocalDistance;

    /// <summary>Time to copy one 4 KiB page between nodes; bandwidth falls with distance.</summary>
    public double CopyPageNs(int from, int to)
    {
        double bandwidth = Options.LocalCopyBytesPerNs * NumaTopology.LocalDistance / _topology.Distance(from, to);
        return PageContents.PageSize / bandwidth;
    }

    public double PteUpdatesNs(int count) => Options.PteUpdateNs * count;

    public double TlbFlushesNs(int count) => Options.TlbFlushNs * count;
}
