using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Experiments;

/// <summary>
/// report.html: one self-contained page (no scripts, styles or images from anywhere else, so it
/// opens from disk with no network) with the sweep's parameters, every plot inline as SVG, and
/// the table of points.
/// </summary>
public static partial class ExperimentReportHtml
{
    public const string FileName = "report.html";

    /// <summary>The columns of the page's table (all of them are in results.csv).</summary>
    private static readonly string[] TableColumns =
    [
        "nodes", "silos", "repeat", "pages", "migrated", "failed", "retried", "passes", "migration_ms", "pages_per_s",
        "latency_before_ns", "latency_during_ns", "latency_after_ns", "local_fraction_after", "grain_calls", "cross_silo_fraction",
        "peak_memory_mb", "invariant_violations",
    ];

    public static void Write(string path, ExperimentOptions options, ExperimentSweepResult result, IReadOnlyList<ExperimentPlot> plots, string commit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(plots);
        OutputFile.WriteAllText(path, Render(options, result, plots, commit));
    }

    public static string Render(ExperimentOptions options, ExperimentSweepResult result, IReadOnlyList<ExperimentPlot> plots, string commit)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(plots);
        var machine = MachineInfo.Capture();
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>MigrationCluster experiment</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; }
            code { background: #f3f3f3; padding: 0.1em 0.3em; }
            table { border-collapse: collapse; font-size: 0.85em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
            th { background: #f3f3f3; } td.text, th.text { text-align: left; }
            figure.plot { margin: 1.5em 0; } figure.plot svg { max-width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { font-size: 0.9em; color: #555; max-width: 900px; }
            div.wide { overflow-x: auto; }
            .bad { color: #b00; font-weight: bold; } .good { color: #070; }
            </style>
            </head>
            <body>
            <h1>MigrationCluster experiment</h1>

            """);
        html.Append(CultureInfo.InvariantCulture, $"<p>{Status(result)}</p>\n");
        html.Append("<table class=\"facts\">\n");
        Fact(html, "command", $"<code>{E(string.Join(' ', options.CommandLine))}</code>");
        Fact(html, "commit", $"<code>{E(commit)}</code>");
        Fact(html, "ran", $"{E(result.StartedAt.ToString("u", CultureInfo.InvariantCulture))} to {E(result.FinishedAt.ToString("u", CultureInfo.InvariantCulture))}");
        Fact(html, "machine", E($"{machine.ProcessorCount} cores, {machine.TotalMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB, {machine.Framework}, {machine.OperatingSystem} {machine.Architecture}"));
        Fact(html, "cluster", E(options.ClusterDirectory is { } cluster ? $"the running cluster in {cluster}" : "embedded: a fresh cluster of N silos in this process (loopback TCP) for each point"));
        Fact(html, "simulated machine", E(options.Machine is { } described ? $"{described.Profile.Name}: {described.Profile.Description} (docs/machines.md)" : "the SLIT-derived model (no --machine; docs/machines.md)"));
        Fact(html, "protocol", E(string.Join(", ", options.Protocols.Select(Machines.MachineNames.Of)) + " (per-page: the kernel before 6.3; batched: 6.3 and later)"));
        Fact(html, "machine shape", E($"{options.Machine?.Profile.Name ?? options.Topology.Name}; {options.SpacesPerNode} process(es) per node, {options.PagesPerSpace} pages each, {options.TasksPerSpace} task(s) per process"));
        Fact(html, "workload", E($"{options.Workload.ToString().ToLowerInvariant()}, {options.Accesses} accesses per task before and after, write fraction {options.WriteFraction}, file fraction {options.FileFraction}, {options.Pinned} pinned page(s) per process"));
        Fact(html, "migration", E($"mode {MigrateNames.Of(options.Mode)}, NUMA balancing (misplaced pages to the node each task now runs on), seed {options.Seed} (+ repeat - 1), {options.Repeat} repeat(s)"));
        Fact(html, "invariant violations", result.InvariantViolations == 0 ? "<span class=\"good\">0</span>" : $"<span class=\"bad\">{result.InvariantViolations}</span>");
        html.Append("</table>\n");

        html.Append("<h2>Plots</h2>\n");
        if (plots.Count == 0)
        {
            html.Append("<p>No point finished, so there is nothing to plot.</p>\n");
        }
        foreach (var plot in plots)
        {
            html.Append(CultureInfo.InvariantCulture, $"<figure class=\"plot\" id=\"plot-{E(plot.Name)}\">\n");
            html.Append(InlineSvg(plot.Svg, plot.Name)).Append('\n');
            html.Append(CultureInfo.InvariantCulture, $"<figcaption><strong>{E(plot.Title)}.</strong> {E(plot.Caption)} Files: <code>plots/{E(plot.Name)}.png</code>, <code>plots/{E(plot.Name)}.svg</code>.</figcaption>\n");
            html.Append("</figure>\n");
        }

        html.Append("<h2>Points</h2>\n");
        html.Append("<p>One row per point and repeat; every column and the per-step p50 and p99 are in <code>results.csv</code>, the per-step mean and batch counts in <code>results.json</code>. ");
        html.Append(CultureInfo.InvariantCulture, $"Timing columns (they differ from run to run; the others are the same for the same seed): {E(string.Join(", ", ExperimentColumns.All.Where(c => c.Timing && !IsStepColumn(c)).Select(c => c.Name)))} and the per-step latencies.</p>\n");
        var columns = TableColumns.Select(name => ExperimentColumns.All.Single(c => c.Name == name)).ToArray();
        html.Append("<div class=\"wide\"><table class=\"points\">\n<thead><tr>");
        foreach (var column in columns)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(column.Name)}</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in result.Rows)
        {
            html.Append("<tr>");
            foreach (var column in columns)
            {
                var text = column.Kind == ColumnKind.Number && column.Value(row) is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : column.Format(row);
                var css = column.Name == "invariant_violations" ? (row.InvariantViolations == 0 ? " class=\"good\"" : " class=\"bad\"") : string.Empty;
                html.Append(CultureInfo.InvariantCulture, $"<td{css}>{E(text)}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string Status(ExperimentSweepResult result)
    {
        var done = $"{result.Rows.Count} of {result.Points.Count} points";
        if (result.Error is { } error)
        {
            return $"<span class=\"bad\">Stopped by a failure after {done}:</span> {E(error)}";
        }
        return result.Interrupted ? $"<span class=\"bad\">Stopped by the user after {done}.</span>" : $"All {result.Rows.Count} points done.";
    }

    private static void Fact(StringBuilder html, string name, string valueHtml) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th class=\"text\">{E(name)}</th><td class=\"text\">{valueHtml}</td></tr>\n");

    /// <summary>
    /// The SVG without its XML prolog, with every id made unique to this plot: several inline
    /// SVGs share one document, where two clip paths of the same id would clip each other's plots.
    /// </summary>
    public static string InlineSvg(string svg, string prefix)
    {
        ArgumentNullException.ThrowIfNull(svg);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        var body = start >= 0 ? svg[start..] : svg;
        // A viewBox lets the page scale the plot down to its width.
        var size = SvgSize().Match(body);
        if (size.Success && !body[..body.IndexOf('>', StringComparison.Ordinal)].Contains("viewBox", StringComparison.Ordinal))
        {
            body = string.Concat(body.AsSpan(0, size.Index), $"{size.Value} viewBox=\"0 0 {size.Groups[1].Value} {size.Groups[2].Value}\"", body.AsSpan(size.Index + size.Length));
        }
        body = IdAttribute().Replace(body, m => $"id=\"{prefix}-{m.Groups[1].Value}\"");
        body = UrlReference().Replace(body, m => $"url(#{prefix}-{m.Groups[1].Value})");
        return HrefReference().Replace(body, m => $"{m.Groups[1].Value}=\"#{prefix}-{m.Groups[2].Value}\"");
    }

    private static bool IsStepColumn(ExperimentColumn column) =>
        column.Name.EndsWith("_p50_ms", StringComparison.Ordinal) || column.Name.EndsWith("_p99_ms", StringComparison.Ordinal);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex("^<svg[^>]*?\\swidth=\"(\\d+)\"\\s+height=\"(\\d+)\"")]
    private static partial Regex SvgSize();

    [GeneratedRegex("\\bid=\"([^\"]+)\"")]
    private static partial Regex IdAttribute();

    [GeneratedRegex("url\\(#([^)]+)\\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("\\b(href|xlink:href)=\"#([^\"]+)\"")]
    private static partial Regex HrefReference();
}
