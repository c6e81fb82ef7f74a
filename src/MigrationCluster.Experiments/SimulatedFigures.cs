using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments;

/// <summary>A run's figures about the simulated machine: the migration's simulated duration, its throughput and TLB shootdowns.</summary>
public sealed record SimulatedFigures(long MigrationNs, double PagesPerS, double GbPerS, long TlbShootdowns)
{
    public static SimulatedFigures Of(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ns = result.Migration.SimulatedNs;
        var pages = result.Migration.Succeeded;
        return new SimulatedFigures(
            ns,
            ns <= 0 ? 0 : pages * 1e9 / ns,
            ns <= 0 ? 0 : (double)pages * PageContents.PageSize / ns,
            result.Migration.TlbShootdowns);
    }
}
