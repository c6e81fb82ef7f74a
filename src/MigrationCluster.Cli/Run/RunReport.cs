using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using Spectre.Console;

using MigrationCluster.Experiments;

namespace MigrationCluster.Cli.Run;

/// <summary>The summary of a run: a table for people and a JSON document for programs.</summary>
public static class RunReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void WriteTable(ExperimentResult result, ExperimentSpec spec, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(console);
        var m = result.Migration;
        var summary = new Table().Title($"migrate_pages: {result.Nodes} nodes, {result.AddressSpaces} address spaces, {MigrateNames.Of(spec.Mode)}").AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        summary.AddRow("pages mapped", result.PagesMapped.ToString("N0"));
        summary.AddRow("pages to migrate (misplaced)", result.PagesToMigrate.ToString("N0"));
        summary.AddRow("migrated", m.Succeeded.ToString("N0"));
        summary.AddRow("failed", m.Failed.ToString("N0"));
        summary.AddRow("retried (-EAGAIN, a later pass)", m.Retried.ToString("N0"));
        summary.AddRow("passes", m.Passes.ToString("N0"));
        summary.AddRow("migration wall time", $"{result.MigrationMs:N1} ms");
        summary.AddRow("access latency before (simulated)", $"{result.Before.MeanLatencyNs:N1} ns");
        summary.AddRow("access latency during", $"{result.During.MeanLatencyNs:N1} ns ({result.During.Waits:N0} sleeps on page locks)");
        summary.AddRow("access latency after", $"{result.After.MeanLatencyNs:N1} ns");
        summary.AddRow("local accesses before / after", $"{Percent(result.Before.LocalAccesses, result.Before.Accesses)} / {Percent(result.After.LocalAccesses, result.After.Accesses)}");
        foreach (var (name, value) in m.VmStat)
        {
            summary.AddRow(name, value.ToString("N0"));
        }
        summary.AddRow("invariant violations", result.Invariants.Total == 0 ? "[green]0[/]" : $"[red]{result.Invariants.Total}[/]");
        console.Write(summary);

        var steps = new Table().Title("per-step latency (wall clock, per batch)").AddColumn("step").AddColumn("kernel function").AddColumn(new TableColumn("batches").RightAligned()).AddColumn(new TableColumn("mean").RightAligned()).AddColumn(new TableColumn("total").RightAligned());
        foreach (var step in m.StepLatencies)
        {
            steps.AddRow(step.Step.ToString(), step.Name, step.Batches.ToString("N0"), $"{step.MeanMs:N3} ms", $"{step.TotalMs:N2} ms");
        }
        console.Write(steps);
    }

    private static string Percent(long part, long whole) => whole == 0 ? "-" : $"{100.0 * part / whole:N1}%";

    public static void WriteJson(ExperimentResult result, ExperimentSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var m = result.Migration;
        var document = new
        {
            nodes = result.Nodes,
            address_spaces = result.AddressSpaces,
            mode = MigrateNames.Of(spec.Mode),
            seed = spec.Seed,
            pages_mapped = result.PagesMapped,
            pages_to_migrate = result.PagesToMigrate,
            migrated = m.Succeeded,
            failed = m.Failed,
            not_isolated = m.NotIsolated,
            retried = m.Retried,
            passes = m.Passes,
            return_value = m.ReturnValue,
            errno_counts = m.PageErrno.Where(e => e != 0).GroupBy(Errno.Name).ToDictionary(g => g.Key, g => g.Count()),
            migration_ms = result.MigrationMs,
            vmstat = m.VmStat,
            step_latency = m.StepLatencies.Select(s => new { step = s.Step, name = s.Name, batches = s.Batches, mean_ms = s.MeanMs, total_ms = s.TotalMs }),
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
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }
}
