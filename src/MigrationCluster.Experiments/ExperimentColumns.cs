using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Experiments;

/// <summary>
/// The columns of results.csv, in order: the point, what the migration did, its simulated time
/// and throughput, the host's time (the simulator's speed), the access latencies, grain calls,
/// memory, the invariant check, then each protocol step's simulated total, p50 and p99 (ns per
/// batch) and its host p50 and p99 (ms per batch; empty if no batch went through the step).
/// Host (timing) columns differ from run to run; the others are the same for the same seed.
/// </summary>
public static class ExperimentColumns
{
    public static IReadOnlyList<ExperimentColumn> All { get; } = Build();

    /// <summary>The columns that depend only on the options and the seed.</summary>
    public static IEnumerable<ExperimentColumn> Deterministic => All.Where(c => !c.Timing);

    private static ExperimentColumn[] Build()
    {
        var columns = new List<ExperimentColumn>
        {
            new("nodes", ColumnKind.Integer, false, r => r.Nodes),
            new("silos", ColumnKind.Integer, false, r => r.Silos),
            new("folio_size", ColumnKind.Text, false, r => r.FolioSize),
            new("repeat", ColumnKind.Integer, false, r => r.Repeat),
            new("seed", ColumnKind.Integer, false, r => r.Seed),
            new("topology", ColumnKind.Text, false, r => r.Topology),
            new("machine", ColumnKind.Text, false, r => r.Machine),
            new("protocol", ColumnKind.Text, false, r => r.Protocol),
            new("address_spaces", ColumnKind.Integer, false, r => r.AddressSpaces),
            new("pages", ColumnKind.Integer, false, r => r.PagesMapped),
            new("pages_to_migrate", ColumnKind.Integer, false, r => r.PagesToMigrate),
            new("migrated", ColumnKind.Integer, false, r => r.Migrated),
            new("pages_migrated", ColumnKind.Integer, false, r => r.PagesMigrated),
            new("failed", ColumnKind.Integer, false, r => r.Failed),
            new("retried", ColumnKind.Integer, false, r => r.Retried),
            new("passes", ColumnKind.Integer, false, r => r.Passes),
            new("sim_migration_ns", ColumnKind.Integer, false, r => r.SimMigrationNs),
            new("sim_pages_per_s", ColumnKind.Number, false, r => r.SimPagesPerSecond),
            new("sim_gb_per_s", ColumnKind.Number, false, r => r.SimGbPerSecond),
            new("tlb_shootdowns", ColumnKind.Integer, false, r => r.TlbShootdowns),
            new("tlb_ipis", ColumnKind.Integer, false, r => r.TlbIpis),
            new("migration_ms", ColumnKind.Number, true, r => r.MigrationMs),
            new("pages_per_s", ColumnKind.Number, true, r => r.PagesPerSecond),
            new("latency_before_ns", ColumnKind.Number, false, r => r.LatencyBeforeNs),
            new("latency_during_ns", ColumnKind.Number, false, r => r.LatencyDuringNs),
            new("latency_after_ns", ColumnKind.Number, false, r => r.LatencyAfterNs),
            new("local_fraction_before", ColumnKind.Number, false, r => r.LocalFractionBefore),
            new("local_fraction_after", ColumnKind.Number, false, r => r.LocalFractionAfter),
            new("during_accesses", ColumnKind.Integer, false, r => r.DuringAccesses),
            new("during_waits", ColumnKind.Integer, false, r => r.DuringWaits),
            new("during_sleep_ns", ColumnKind.Integer, false, r => r.DuringSleepNs),
            new("grain_calls", ColumnKind.Integer, true, r => r.GrainCalls),
            new("cross_silo_calls", ColumnKind.Integer, true, r => r.CrossSiloCalls),
            new("cross_silo_fraction", ColumnKind.Number, true, r => r.CrossSiloFraction),
            new("peak_memory_mb", ColumnKind.Number, true, r => r.PeakMemoryMb),
            new("point_ms", ColumnKind.Number, true, r => r.PointMs),
            new("invariant_violations", ColumnKind.Integer, false, r => r.InvariantViolations),
        };
        foreach (var step in MigrationSteps.InOrder)
        {
            var number = step.Number();
            columns.Add(new($"{step.KernelName()}_sim_total_ns", ColumnKind.Integer, false, r => r.SimStep(number)?.TotalNs));
            columns.Add(new($"{step.KernelName()}_sim_p50_ns", ColumnKind.Integer, false, r => r.SimStep(number)?.P50Ns));
            columns.Add(new($"{step.KernelName()}_sim_p99_ns", ColumnKind.Integer, false, r => r.SimStep(number)?.P99Ns));
        }
        foreach (var step in MigrationSteps.InOrder)
        {
            var number = step.Number();
            columns.Add(new($"{step.KernelName()}_p50_ms", ColumnKind.Number, true, r => r.Step(number)?.P50Ms));
            columns.Add(new($"{step.KernelName()}_p99_ms", ColumnKind.Number, true, r => r.Step(number)?.P99Ms));
        }
        return [.. columns];
    }
}
