using MigrationCluster.Experiments.Machines;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments;

/// <summary>The JSON document of <c>run --json</c> (snake_case when serialized by the command).</summary>
public static class RunDocument
{
    /// <summary>The result document: everything but <c>host</c> is a function of the inputs and the seed.</summary>
    public static object Of(ExperimentResult result, ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spec);
        var m = result.Migration;
        var sim = SimulatedFigures.Of(result, spec);
        var document = new
        {
            nodes = result.Nodes,
            address_spaces = result.AddressSpaces,
            mode = MigrateNames.Of(spec.Mode),
            machine = spec.Machine?.Name ?? "slit",
            protocol = MachineNames.Of(spec.Protocol),
            schedule = result.Schedule == TaskSchedule.Free ? "free" : "simulated",
            seed = spec.Seed,
            pages_mapped = result.PagesMapped,
            pages_to_migrate = result.PagesToMigrate,
            migrated = m.Succeeded,
            folio_size = FolioSizes.Name(spec.FolioOrder),
            pages_migrated = m.VmEvents.PgmigrateSuccess,
            failed = m.Failed,
            not_isolated = m.NotIsolated,
            retried = m.Retried,
            passes = m.Passes,
            return_value = m.ReturnValue,
            errno_counts = m.PageErrno.Where(e => e != 0).GroupBy(Errno.Name).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            vmstat = m.VmStat,
            simulated = new
            {
                migration_ns = sim.MigrationNs,
                pages_per_s = sim.PagesPerS,
                gb_per_s = sim.GbPerS,
                tlb_shootdowns = sim.TlbShootdowns,
                tlb_ipis = sim.TlbIpis,
                steps = m.StepSimulatedTimes.Select(s => new { step = s.Step, name = s.Name, batches = s.BatchNs.Length, total_ns = s.TotalNs, p50_ns = s.P50Ns, p99_ns = s.P99Ns }),
                during = new
                {
                    accesses = result.During.Accesses,
                    sleeps = result.During.Waits,
                    sleep_ns = result.During.SleepNs,
                },
                access_latency_ns = new { before = result.Before.MeanLatencyNs, during = result.During.MeanLatencyNs, after = result.After.MeanLatencyNs },
            },
            access_latency_ns = new { before = result.Before.MeanLatencyNs, during = result.During.MeanLatencyNs, after = result.After.MeanLatencyNs },
            workloads = new { before = result.Before, during = result.During, after = result.After },
            invariants = new
            {
                total = result.Invariants.Total,
                checked_ptes = result.Invariants.PresentPtesChecked,
                checked_frames = result.Invariants.FramesChecked,
                pte_to_dead_frame = result.Invariants.PteToDeadFrame,
                pte_missing_from_rmap = result.Invariants.PteMissingFromRmap,
                mapcount_mismatch = result.Invariants.MapcountMismatch,
                refcount_too_low = result.Invariants.RefcountTooLow,
                migration_entries_left = result.Invariants.MigrationEntriesLeft,
                locked_frames_left = result.Invariants.LockedFramesLeft,
                orphan_anon_frames = result.Invariants.OrphanAnonFrames,
                stale_reads = result.Invariants.StaleReads,
                checker_violation = result.Invariants.CheckerViolation,
            },
            host = new
            {
                migration_ms = result.MigrationMs,
                simulator_pages_per_s = result.MigrationMs <= 0 ? 0 : result.Migration.Succeeded / (result.MigrationMs / 1000.0),
                working_set_mib = Environment.WorkingSet / (1024.0 * 1024.0),
                step_latency = m.StepLatencies.Select(s => new { step = s.Step, name = s.Name, batches = s.Batches, mean_ms = s.MeanMs, total_ms = s.TotalMs }),
            },
        };
        return document;
    }
}
