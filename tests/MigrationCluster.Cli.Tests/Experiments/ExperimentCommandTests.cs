using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MigrationCluster.Cli.Tests.Experiments;

public sealed partial class ExperimentCommandTests(ExperimentSweepFixture sweep) : IClassFixture<ExperimentSweepFixture>
{
    /// <summary>The columns the issue names, which results.csv must have.</summary>
    private static readonly string[] RequiredColumns =
    [
        "nodes", "silos", "repeat", "pages", "migrated", "failed", "migration_ms", "pages_per_s", "latency_before_ns",
        "latency_after_ns", "local_fraction_after", "grain_calls", "cross_silo_calls", "invariant_violations",
    ];

    /// <summary>Protocol steps every batch goes through (5, 7, 9 and 11 only with file pages; all sweeps here have them).</summary>
    private static readonly string[] StepNames =
    [
        "lock_page", "wait_on_page_writeback", "lock_new_page", "try_to_unmap", "radix_tree_lock", "page_refcount_check", "radix_tree_check",
        "prep_new_page", "radix_tree_replace", "page_ref_transfer", "radix_tree_unlock", "copy_page", "copy_page_flags", "clear_page_flags",
        "queue_writeback", "remove_migration_ptes", "unlock_page", "putback_lru_page",
    ];

    [Fact]
    public void The_sweep_writes_the_three_files_and_a_row_per_point_each_of_which_migrated_pages_soundly()
    {
        Assert.True(sweep.Result.ExitCode == 0, sweep.Result.Stderr + sweep.Result.Stdout);
        foreach (var file in new[] { "results.csv", "results.json", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(sweep.Output, file)), $"{file} is missing");
        }

        var csv = ResultsCsv.Read(Path.Combine(sweep.Output, "results.csv"));
        Assert.Equal(6, csv.Rows.Count);
        Assert.Equal(
            new[] { (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2) },
            csv.Rows.Select(r => ((int)ResultsCsv.Integer(r, "nodes"), (int)ResultsCsv.Integer(r, "silos"))));
        foreach (var row in csv.Rows)
        {
            var nodes = ResultsCsv.Integer(row, "nodes");
            Assert.Equal(nodes, ResultsCsv.Integer(row, "address_spaces")); // one process per node
            Assert.Equal(nodes * 16 + nodes * 4, ResultsCsv.Integer(row, "pages")); // 16 pages each, plus the neighbour's 4 file pages mapped
            Assert.True(ResultsCsv.Integer(row, "migrated") > 0);
            Assert.Equal(ResultsCsv.Integer(row, "pages_to_migrate"), ResultsCsv.Integer(row, "migrated") + ResultsCsv.Integer(row, "failed"));
            Assert.Equal(nodes, ResultsCsv.Integer(row, "failed")); // the pinned page of each process backs out on every pass
            Assert.Equal(nodes * 10, ResultsCsv.Integer(row, "retried")); // -EAGAIN on each of the 10 passes
            Assert.Equal(10, ResultsCsv.Integer(row, "passes"));
            Assert.Equal(0, ResultsCsv.Integer(row, "invariant_violations"));
            Assert.True(ResultsCsv.Number(row, "pages_per_s") > 0);
            Assert.Equal(ResultsCsv.Integer(row, "migrated") / (ResultsCsv.Number(row, "migration_ms") / 1000), ResultsCsv.Number(row, "pages_per_s"), 0.01 * ResultsCsv.Number(row, "pages_per_s"));
            Assert.True(ResultsCsv.Number(row, "latency_after_ns") < ResultsCsv.Number(row, "latency_before_ns"));
            Assert.True(ResultsCsv.Number(row, "local_fraction_after") > ResultsCsv.Number(row, "local_fraction_before"));
            Assert.True(ResultsCsv.Integer(row, "grain_calls") > 0);
            Assert.True(ResultsCsv.Number(row, "peak_memory_mb") > 10);
            var crossSilo = ResultsCsv.Integer(row, "cross_silo_calls");
            if (ResultsCsv.Integer(row, "silos") == 1)
            {
                Assert.Equal(0, crossSilo);
            }
            else
            {
                // Node k lives on silo k mod 2: a migration between nodes crosses silos.
                Assert.InRange(crossSilo, 1, ResultsCsv.Integer(row, "grain_calls") - 1);
            }
        }

        // One progress line per point (output is redirected here), then the summary table.
        Assert.Equal(6, Regex.Matches(sweep.Result.Stdout, @"^\[\d/6\] .* invariant violations 0; point", RegexOptions.Multiline).Count);
        Assert.Contains("experiment: ring, MIGRATE_SYNC, 6 of 6 points", sweep.Result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", sweep.Result.Stdout, StringComparison.Ordinal); // no colour codes or cursor moves
    }

    [Fact]
    public void The_csv_has_a_header_row_with_the_named_columns_and_the_per_step_p50s_and_typed_cells()
    {
        var csv = ResultsCsv.Read(Path.Combine(sweep.Output, "results.csv"));
        Assert.Equal(csv.Header.Length, csv.Header.Distinct().Count());
        Assert.All(RequiredColumns, c => Assert.Contains(c, csv.Header));
        Assert.All(StepNames, s => Assert.Contains($"{s}_p50_ms", csv.Header));
        Assert.All(StepNames, s => Assert.Contains($"{s}_p99_ms", csv.Header));

        var integers = new[] { "nodes", "silos", "repeat", "seed", "address_spaces", "pages", "pages_to_migrate", "migrated", "pages_migrated", "failed", "retried", "passes", "during_accesses", "during_waits", "grain_calls", "cross_silo_calls", "invariant_violations" };
        foreach (var row in csv.Rows)
        {
            Assert.Equal(csv.Header.Length, row.Count);
            Assert.Equal("ring", row["topology"]);
            // Without --machine: the SLIT-derived model and the default (pre-6.3) protocol.
            Assert.Equal("slit", row["machine"]);
            Assert.Equal("per-page", row["protocol"]);
            Assert.Equal("4K", row["folio_size"]);
            foreach (var column in csv.Header.Where(c => c is not ("topology" or "machine" or "protocol" or "folio_size")))
            {
                if (integers.Contains(column))
                {
                    Assert.True(long.TryParse(row[column], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), $"{column} = '{row[column]}' is not an integer");
                }
                else
                {
                    Assert.True(double.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0, $"{column} = '{row[column]}' is not a number");
                }
            }
            // A batch's median is never above its 99th percentile.
            Assert.All(StepNames, s => Assert.True(ResultsCsv.Number(row, $"{s}_p50_ms") <= ResultsCsv.Number(row, $"{s}_p99_ms")));
        }
    }

    [Fact]
    public void The_json_holds_the_rows_with_steps_and_topology_the_command_line_the_commit_and_the_machine()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(sweep.Output, "results.json")));
        var root = document.RootElement;
        Assert.Contains("--nodes 2,4,8", root.GetProperty("command_line").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", root.GetProperty("commit").GetString());
        var machine = root.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("cores").GetInt32());
        Assert.True(machine.GetProperty("memory_bytes").GetInt64() > 0);
        Assert.StartsWith(".NET", machine.GetProperty("runtime").GetString(), StringComparison.Ordinal);
        Assert.False(root.GetProperty("interrupted").GetBoolean());
        Assert.Contains("migration_ms", root.GetProperty("timing_columns").EnumerateArray().Select(e => e.GetString()));

        var csv = ResultsCsv.Read(Path.Combine(sweep.Output, "results.csv"));
        var points = root.GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal(csv.Rows.Count, points.Length);
        for (var i = 0; i < points.Length; i++)
        {
            var point = points[i];
            Assert.Equal(ResultsCsv.Integer(csv.Rows[i], "migrated"), point.GetProperty("migrated").GetInt64());
            Assert.Equal(ResultsCsv.Number(csv.Rows[i], "latency_before_ns"), point.GetProperty("latency_before_ns").GetDouble(), 1e-6);

            var steps = point.GetProperty("steps").EnumerateArray().ToArray();
            var sources = point.GetProperty("nodes").GetInt32(); // every node's pages are misplaced
            Assert.Equal(StepNames, steps.Select(s => s.GetProperty("name").GetString()));
            foreach (var step in steps)
            {
                var batches = step.GetProperty("batches").GetInt32();
                // One migrate_pages call per source node, each of at most 128 pages: one batch a
                // pass, and the pinned pages make ten passes; the radix-tree steps run only while
                // file pages are in flight, on the first pass of each call.
                var name = step.GetProperty("name").GetString()!;
                Assert.Equal(name.StartsWith("radix_tree_", StringComparison.Ordinal) ? sources : sources * 10, batches);
                Assert.Equal(step.GetProperty("total_ms").GetDouble() / batches, step.GetProperty("mean_ms").GetDouble(), 1e-9);
                Assert.True(step.GetProperty("p50_ms").GetDouble() <= step.GetProperty("p99_ms").GetDouble());
            }

            var topology = point.GetProperty("topology_detail");
            var nodes = point.GetProperty("nodes").GetInt32();
            Assert.Equal(nodes, topology.GetProperty("nodes").GetInt32());
            var distances = topology.GetProperty("distances").EnumerateArray().Select(r => r.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
            Assert.Equal(nodes, distances.Length);
            for (var a = 0; a < nodes; a++)
            {
                Assert.Equal(10, distances[a][a]);
                for (var b = 0; b < nodes; b++)
                {
                    Assert.Equal(distances[a][b], distances[b][a]);
                }
            }
        }
    }

    [Fact]
    public void The_report_is_self_contained_and_holds_six_inline_plots_and_the_table()
    {
        var html = File.ReadAllText(Path.Combine(sweep.Output, "report.html"));
        var figures = FigureRegex().Matches(html);
        Assert.Equal(6, figures.Count);
        foreach (Match figure in figures)
        {
            var name = figure.Groups[1].Value;
            Assert.Contains("<path", figure.Value, StringComparison.Ordinal);
            Assert.Contains("<text", figure.Value, StringComparison.Ordinal);
            // Each figure's ids carry its name: two plots inline in one page must not share a clip path.
            var svg = figure.Value[figure.Value.IndexOf("<svg", StringComparison.Ordinal)..];
            var ids = IdRegex().Matches(svg).Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(ids);
            Assert.All(ids, id => Assert.StartsWith(name + "-", id, StringComparison.Ordinal));
            Assert.True(new FileInfo(Path.Combine(sweep.Output, "plots", name + ".png")).Length > 1000);
            Assert.True(new FileInfo(Path.Combine(sweep.Output, "plots", name + ".svg")).Length > 1000);
        }
        Assert.Equal(["sim_pages_per_s", "sim_step_time", "pages_per_s", "step_latency", "access_latency", "cross_silo_fraction"], figures.Select(f => f.Groups[1].Value));
        Assert.Contains(System.Net.WebUtility.HtmlEncode("The simulator's speed"), html, StringComparison.Ordinal);
        Assert.Contains("Migration throughput", html, StringComparison.Ordinal);
        Assert.Contains("try_to_unmap", html, StringComparison.Ordinal); // the step legend
        // Nothing to fetch: no scripts, stylesheets or images from elsewhere.
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        // The table: a row per point.
        Assert.Equal(6, Regex.Matches(html[html.IndexOf("<table class=\"points\">", StringComparison.Ordinal)..], "<tr>").Count - 1);
    }

    [GeneratedRegex("<figure class=\"plot\" id=\"plot-([a-z_]+)\">.*?</figure>", RegexOptions.Singleline)]
    private static partial Regex FigureRegex();

    [GeneratedRegex("\\bid=\"([^\"]+)\"")]
    private static partial Regex IdRegex();
}
