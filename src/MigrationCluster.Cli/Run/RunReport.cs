using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using Spectre.Console;

using MigrationCluster.Experiments;
using MigrationCluster.Experiments.Machines;

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
        var sim = SimulatedFigures.Of(result, spec);
        var summary = new Table().Title($"migrate_pages: {result.Nodes} nodes, {result.AddressSpaces} address spaces, {MigrateNames.Of(spec.Mode)} (simulated machine)").AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        summary.AddRow("pages mapped", result.PagesMapped.ToString("N0"));
        summary.AddRow("pages to migrate (misplaced)", result.PagesToMigrate.ToString("N0"));
        summary.AddRow($"migrated: folios ({FolioSizes.Name(spec.FolioOrder)}), base pages", $"{m.Succeeded:N0}, {m.VmEvents.PgmigrateSuccess:N0}");
        summary.AddRow("failed", m.Failed.ToString("N0"));
        summary.AddRow("retried (-EAGAIN, a later pass)", m.Retried.ToString("N0"));
        summary.AddRow("passes", m.Passes.ToString("N0"));
        summary.AddRow("migration time (simulated)", $"{sim.MigrationNs / 1000.0:N1} us");
        summary.AddRow("throughput (simulated)", $"{sim.PagesPerS:N0} pages/s, {sim.GbPerS:N2} GB/s");
        summary.AddRow("machine, protocol", $"{spec.Machine?.Name ?? "SLIT-derived"}, {MachineNames.Of(spec.Protocol)}");
        summary.AddRow("TLB shootdowns (IPIs)", $"{sim.TlbShootdowns:N0} ({sim.TlbIpis:N0})");
        summary.AddRow("access latency before", $"{result.Before.MeanLatencyNs:N1} ns");
        summary.AddRow($"access latency during ({ScheduleName(result.Schedule)})", $"{result.During.MeanLatencyNs:N1} ns ({result.During.Accesses:N0} accesses, {result.During.Waits:N0} sleeps on page locks, {result.During.SleepNs / 1000.0:N1} us asleep)");
        summary.AddRow("access latency after", $"{result.After.MeanLatencyNs:N1} ns");
        summary.AddRow("local accesses before / after", $"{Percent(result.Before.LocalAccesses, result.Before.Accesses)} / {Percent(result.After.LocalAccesses, result.After.Accesses)}");
        foreach (var (name, value) in m.VmStat)
        {
            summary.AddRow(name, value.ToString("N0"));
        }
        summary.AddRow("invariant violations", result.Invariants.Total == 0 ? "[green]0[/]" : $"[red]{result.Invariants.Total}[/]");
        console.Write(summary);

        var steps = new Table().Title("per-step time (simulated, per batch)").AddColumn("step").AddColumn("kernel function").AddColumn(new TableColumn("batches").RightAligned()).AddColumn(new TableColumn("p50").RightAligned()).AddColumn(new TableColumn("p99").RightAligned()).AddColumn(new TableColumn("total").RightAligned());
        foreach (var step in m.StepSimulatedTimes)
        {
            steps.AddRow(step.Step.ToString(), step.Name, step.BatchNs.Length.ToString("N0"), $"{step.P50Ns:N0} ns", $"{step.P99Ns:N0} ns", $"{step.TotalNs:N0} ns");
        }
        console.Write(steps);

        var host = new Table().Title("the simulator's speed (host wall clock, not the simulated machine)").AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        host.AddRow("migration wall time", $"{result.MigrationMs:N1} ms");
        host.AddRow("simulator pages/s", $"{HostPagesPerS(result):N0}");
        foreach (var step in m.StepLatencies)
        {
            host.AddRow($"{step.Step} {step.Name} (mean per batch)", $"{step.MeanMs:N3} ms");
        }
        console.Write(host);
    }

    private static string ScheduleName(TaskSchedule schedule) => schedule == TaskSchedule.Free ? "free-running stress test, host-dependent" : "simulated";

    private static double HostPagesPerS(ExperimentResult result) =>
        result.MigrationMs <= 0 ? 0 : result.Migration.Succeeded / (result.MigrationMs / 1000.0);

    private static string Percent(long part, long whole) => whole == 0 ? "-" : $"{100.0 * part / whole:N1}%";

    public static void WriteJson(ExperimentResult result, ExperimentSpec spec, string path) => Write(RunDocument.Of(result, spec), path);

    /// <summary><c>run --seeds</c>: one document per seed run, in an array.</summary>
    public static void WriteJson(IEnumerable<(ExperimentSpec Spec, ExperimentResult Result)> runs, string path) =>
        Write(runs.Select(r => RunDocument.Of(r.Result, r.Spec)).ToArray(), path);

    /// <summary>One line per seed of <c>run --seeds</c>.</summary>
    public static string SeedLine(ExperimentResult result, ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(spec);
        var sim = SimulatedFigures.Of(result, spec);
        return $"seed {spec.Seed}: migrated {result.Migration.Succeeded:N0}/{result.PagesToMigrate:N0} in {sim.MigrationNs / 1000.0:N1} us simulated; "
            + $"during: {result.During.Accesses:N0} accesses, {result.During.Waits:N0} sleeps on page locks ({result.During.SleepNs / 1000.0:N1} us asleep); "
            + $"stale reads {result.Invariants.StaleReads}, invariant violations {result.Invariants.Total}";
    }

    private static void Write(object document, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        OutputFile.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }
}
