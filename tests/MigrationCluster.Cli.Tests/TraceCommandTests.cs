using System.Diagnostics;
using MigrationCluster.Hosting.Tests.Telemetry.Otlp;

namespace MigrationCluster.Cli.Tests;

public sealed class TraceCommandTests
{
    private const string TraceA = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceB = "0af7651916cd43dd8448eb211c80319c";
    private const long T0 = 1_700_000_000_000_000_000;

    private static string Attribute(string key, object value) => value switch
    {
        string s => "{\"key\":\"" + key + "\",\"value\":{\"stringValue\":\"" + s + "\"}}",
        _ => "{\"key\":\"" + key + "\",\"value\":{\"intValue\":\"" + value + "\"}}",
    };

    private static string Span(string trace, string span, string parent, string name, long startNs, long endNs, params string[] attributes) =>
        "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + span + "\""
        + (parent.Length > 0 ? ",\"parentSpanId\":\"" + parent + "\"" : "")
        + ",\"flags\":257,\"name\":\"" + name + "\",\"kind\":1,\"startTimeUnixNano\":\"" + startNs + "\",\"endTimeUnixNano\":\"" + endNs + "\""
        + ",\"attributes\":[" + string.Join(",", attributes) + "],\"events\":[],\"status\":{}}";

    /// <summary>One ExportTraceServiceRequest: one resource (a service), one scope per group of spans.</summary>
    private static string Line(string service, params (string Scope, string[] Spans)[] scopes) =>
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[" + Attribute("service.name", service) + "]},\"scopeSpans\":["
        + string.Join(",", scopes.Select(s => "{\"scope\":{\"name\":\"" + s.Scope + "\"},\"spans\":[" + string.Join(",", s.Spans) + "]}"))
        + "]}]}";

    /// <summary>Two traces over two lines: a migration with a pass, a page and two steps; and a lone span.</summary>
    internal static string File2Traces() => string.Join('\n',
        Line("migration-cluster",
            ("MigrationCluster.Migration",
            [
                Span(TraceA, "00f067aa0ba902bb", "00f067aa0ba902b9", "wait_on_page_writeback", T0 + 500_000, T0 + 600_000, Attribute("migration.step", 2), Attribute("page.pfn", 17)),
                Span(TraceA, "00f067aa0ba902b7", "", "migrate_pages", T0, T0 + 12_300_000, Attribute("migration.mode", "MIGRATE_SYNC"), Attribute("page.count", 1)),
                Span(TraceA, "00f067aa0ba902b8", "00f067aa0ba902b7", "pass", T0 + 100_000, T0 + 12_000_000, Attribute("migration.pass", 0)),
            ]),
            ("Other.Scope", [Span(TraceB, "b7ad6b7169203331", "", "other_root", T0 + 50_000_000, T0 + 52_500_000_000)])),
        Line("silo1",
            ("MigrationCluster.Migration",
            [
                Span(TraceA, "00f067aa0ba902b9", "00f067aa0ba902b8", "unmap_and_move", T0 + 200_000, T0 + 4_300_000, Attribute("page.pfn", 17), Attribute("node.source", 0), Attribute("node.target", 1), Attribute("internal.detail", "x")),
                Span(TraceA, "00f067aa0ba902ba", "00f067aa0ba902b9", "lock_page", T0 + 210_000, T0 + 410_000, Attribute("migration.step", 1), Attribute("page.pfn", 17)),
            ]))) + "\n";

    [Fact]
    public async Task Show_prints_each_trace_as_a_tree_with_durations()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(string.Empty, result.Stderr);
        // Redirected output: no colour codes, nothing wrapped.
        Assert.DoesNotContain('\u001b', result.Stdout);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        Assert.Equal($"trace {TraceA} (5 spans, service migration-cluster)", lines[0]);
        Assert.Equal("└── migrate_pages 12.3 ms  mode=MIGRATE_SYNC count=1", lines[1]);
        Assert.Equal("    └── pass 11.9 ms  pass=0", lines[2]);
        Assert.Equal("        └── unmap_and_move 4.1 ms  pfn=17 source=0 target=1", lines[3]);
        Assert.Equal("            ├── lock_page 200 µs  step=1 pfn=17", lines[4]);
        Assert.Equal("            └── wait_on_page_writeback 100 µs  step=2 pfn=17", lines[5]);
        Assert.Equal($"trace {TraceB} (1 span, service migration-cluster)", lines[6]);
        Assert.Equal("└── other_root 52.45 s", lines[7]);
    }

    [Fact]
    public async Task Trace_id_filters_to_one_trace()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());

        var result = await CliProcess.RunAsync("trace", "show", path, "--trace-id", TraceB);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains(TraceB, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(TraceA, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("migrate_pages", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_attributes_shows_full_names()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());

        var result = await CliProcess.RunAsync("trace", "show", path, "--trace-id", TraceA, "--all-attributes");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains("internal.detail=x", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("page.pfn=17", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_trace_id_exits_2()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());

        var result = await CliProcess.RunAsync("trace", "show", path, "--trace-id", "ffffffffffffffffffffffffffffffff");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("no trace ffffffffffffffffffffffffffffffff in", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Malformed_line_exits_2_naming_file_and_line()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces() + "\n{\"traceId\": 5}\n" + Line("x", ("s", [])) + "\n");

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"migration-cluster: {path}:4: missing 'resourceSpans'", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task A_cut_last_line_is_left_out_with_one_warning_and_the_rest_is_drawn()
    {
        using var temp = new TempDirectory();
        var cut = Line("silo2", ("MigrationCluster.Migration", [Span(TraceA, "00f067aa0ba902bc", "00f067aa0ba902b9", "copy_page", T0 + 700_000, T0 + 900_000)]));
        var path = temp.Write("spans.jsonl", File2Traces() + cut[..(cut.Length / 2)]);

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(
            $"migration-cluster: warning: {path}:3: the last line is cut short (the writer stopped in the middle of it) and is left out; the 6 spans before it are shown",
            Assert.Single(result.StderrLines));
        Assert.Contains("wait_on_page_writeback 100 µs", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("copy_page", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trace_nested_twenty_thousand_deep_is_drawn_to_the_depth_limit()
    {
        using var temp = new TempDirectory();
        const int Depth = 20_000;
        var spans = Enumerable.Range(0, Depth).Select(i => Span(
            TraceA,
            (i + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            i == 0 ? "" : i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
            "level" + i,
            T0 + i,
            T0 + (2 * Depth) - i));
        var path = temp.Write("deep.jsonl", Line("svc", ("s", [.. spans])) + "\n");

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr[..Math.Min(500, result.Stderr.Length)]}");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 64 + 1, lines.Length);
        Assert.EndsWith("└── level63 40 µs", lines[64], StringComparison.Ordinal);
        Assert.EndsWith("└── … 19,936 more spans nested deeper than 64 levels, not drawn (--max-depth)", lines[65], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_is_refused_with_one_line()
    {
        var result = await CliProcess.RunAsync("trace", "show", "/dev/zero");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("migration-cluster: /dev/zero: not a regular file (a character device); a trace file must be a regular file", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task A_FIFO_is_refused_without_waiting_for_a_writer()
    {
        using var temp = new TempDirectory();
        var path = temp.File("trace.fifo");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a regular file (a FIFO)", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_max_size_is_refused_with_one_line()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());
        var size = new FileInfo(path).Length;

        var refused = await CliProcess.RunAsync("trace", "show", path, "--max-size", "1000");
        var allowed = await CliProcess.RunAsync("trace", "show", path, "--max-size", size.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"migration-cluster: {path}: {size:N0} bytes is more than the limit of 1,000 bytes (--max-size raises it)", Assert.Single(refused.StderrLines));
        Assert.Equal(0, allowed.ExitCode);
    }

    [Fact]
    public async Task Missing_file_exits_2()
    {
        using var temp = new TempDirectory();

        var result = await CliProcess.RunAsync("trace", "show", temp.File("none.jsonl"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("none.jsonl", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void The_fixture_is_valid_OTLP_JSON()
    {
        foreach (var line in File2Traces().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.NotEmpty(OtlpJsonLine.Parse(line).ResourceSpans);
        }
    }
}
