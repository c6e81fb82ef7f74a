using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments;

/// <summary>A run's figures about the simulated machine: the migration's simulated duration, its throughput, TLB shootdowns and their IPIs.</summary>
public sealed record SimulatedFigures(long MigrationNs, double PagesPerS, double GbPerS, long TlbShootdowns, long TlbIpis)
{
    public static SimulatedFigures Of(ExperimentResult result, ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spec);
        var ns = result.Migration.SimulatedNs;
        // Base pages (pgmigrate_success): a large folio moves all of its pages.
        var pages = result.Migration.VmEvents.PgmigrateSuccess;
        return new SimulatedFigures(
            ns,
            ns <= 0 ? 0 : pages * 1e9 / ns,
            ns <= 0 ? 0 : (double)pages * (spec.Machine?.PageSize ?? PageContents.PageSize) / ns,
            result.Migration.TlbShootdowns,
            result.Migration.TlbIpis);
    }
}
