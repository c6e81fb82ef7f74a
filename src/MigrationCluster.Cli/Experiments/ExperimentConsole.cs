using System.Globalization;
using MigrationCluster.Memory.Migration;
using Spectre.Console;

using MigrationCluster.Experiments;

namespace MigrationCluster.Cli.Experiments;

/// <summary>
/// What a sweep prints, in the run command's style: a line per finished point with the figures
/// of run's summary, and at the end a table of every point.
/// </summary>
public static class ExperimentConsole
{
    public static string Header(IReadOnlyList<ExperimentPoint> points, ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        var nodes = string.Join(",", points.Select(p => p.Nodes).Distinct());
        var silos = string.Join(",", points.Select(p => p.Silos).Distinct());
        var where = options.ClusterDirectory is { } cluster ? $"the cluster in {cluster}" : "embedded silos";
        return $"experiment: {points.Count} points (nodes {nodes} x silos {silos} x {options.Repeat} repeat{(options.Repeat == 1 ? "" : "s")}), {options.Topology.Name}, {MigrateNames.Of(options.Mode)}, on {where}; results in {options.OutputDirectory}";
    }

    /// <summary>One finished point: "[3/6] 4 nodes, 2 silos, repeat 1: 96 of 96 pages migrated ...".</summary>
    public static string PointLine(ExperimentPoint point, int total, ExperimentRow row)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(row);
        var calls = row.GrainCalls is { } c
            ? $"{N(c)} grain calls ({row.CrossSiloFraction.GetValueOrDefault() * 100:N1}% cross-silo)"
            : "grain calls not measured";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{point.Index}/{total}] {point.Describe()}: {N(row.Migrated)} of {N(row.PagesToMigrate)} misplaced pages migrated ({N(row.Failed)} failed, {N(row.Retried)} retried, {row.Passes} pass{(row.Passes == 1 ? "" : "es")}) "
            + $"in {row.MigrationMs:N1} ms, {row.PagesPerSecond:N0} pages/s; access latency {row.LatencyBeforeNs:N1} -> {row.LatencyAfterNs:N1} ns (simulated), local {row.LocalFractionAfter * 100:N1}% after; "
            + $"{calls}; peak {row.PeakMemoryMb:N0} MiB; invariant violations {row.InvariantViolations}; point {row.PointMs / 1000:N1} s");
    }

    /// <summary>Every point in one table, with run's names for the figures.</summary>
    public static void WriteSummary(ExperimentSweepResult result, ExperimentOptions options, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Title($"experiment: {options.Topology.Name}, {MigrateNames.Of(options.Mode)}, {result.Rows.Count} of {result.Points.Count} points");
        table.AddColumn("nodes").AddColumn("silos").AddColumn("repeat");
        foreach (var name in new[] { "pages mapped", "migrated", "failed", "retried", "passes", "migration wall time", "pages/s", "latency before", "latency after", "local after", "grain calls", "cross-silo", "peak memory", "invariant violations" })
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }
        foreach (var row in result.Rows)
        {
            table.AddRow(
                Inv(row.Nodes), Inv(row.Silos), Inv(row.Repeat), N(row.PagesMapped), N(row.Migrated), N(row.Failed), N(row.Retried), N(row.Passes),
                F($"{row.MigrationMs:N1} ms"), F($"{row.PagesPerSecond:N0}"), F($"{row.LatencyBeforeNs:N1} ns"), F($"{row.LatencyAfterNs:N1} ns"),
                F($"{row.LocalFractionAfter * 100:N1}%"), row.GrainCalls is { } calls ? N(calls) : "-", row.CrossSiloFraction is { } f ? F($"{f * 100:N1}%") : "-",
                F($"{row.PeakMemoryMb:N0} MiB"), row.InvariantViolations == 0 ? "[green]0[/]" : $"[red]{row.InvariantViolations}[/]");
        }
        console.Write(table);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
