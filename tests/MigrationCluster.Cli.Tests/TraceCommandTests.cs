namespace MigrationCluster.Cli.Tests;

public sealed class TraceCommandTests
{
    private const string TraceA = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceB = "0af7651916cd43dd8448eb211c80319c";
    private const long T0 = 1_700_000_000_000_000_000;

    private static string Span(string trace, string span, string parent, string name, long startNs, long endNs, string attributes = "{}", string status = "unset") =>
        $$"""{"traceId":"{{trace}}","spanId":"{{span}}","parentSpanId":"{{parent}}","name":"{{name}}","kind":"internal","startTimeUnixNano":{{startNs}},"endTimeUnixNano":{{endNs}},"status":"{{status}}","attributes":{{attributes}},"events":[]}""";

    /// <summary>Two traces: a migration with a pass, a page and two steps; and a lone span.</summary>
    private static string File2Traces() => string.Join('\n',
        Span(TraceA, "00f067aa0ba902b7", "", "migrate_pages", T0, T0 + 12_300_000, """{"migration.mode":"MIGRATE_SYNC","page.count":1}"""),
        Span(TraceA, "00f067aa0ba902b8", "00f067aa0ba902b7", "pass", T0 + 100_000, T0 + 12_000_000, """{"migration.pass":0}"""),
        Span(TraceA, "00f067aa0ba902b9", "00f067aa0ba902b8", "unmap_and_move", T0 + 200_000, T0 + 4_300_000, """{"page.pfn":17,"node.source":0,"node.target":1,"internal.detail":"x"}"""),
        Span(TraceA, "00f067aa0ba902ba", "00f067aa0ba902b9", "lock_page", T0 + 210_000, T0 + 410_000, """{"migration.step":1,"page.pfn":17}"""),
        Span(TraceA, "00f067aa0ba902bb", "00f067aa0ba902b9", "wait_on_page_writeback", T0 + 500_000, T0 + 600_000, """{"migration.step":2,"page.pfn":17}"""),
        Span(TraceB, "b7ad6b7169203331", "", "other_root", T0 + 50_000_000, T0 + 52_500_000_000));

    [Fact]
    public async Task Show_prints_each_trace_as_an_indented_tree_with_durations()
    {
        using var temp = new TempDirectory();
        var path = temp.Write("spans.jsonl", File2Traces());

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"trace {TraceA} (5 spans", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("migrate_pages 12.3 ms", lines[1], StringComparison.Ordinal);
        Assert.Contains("mode=MIGRATE_SYNC", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("└─ pass 11.9 ms", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("   └─ unmap_and_move 4.1 ms", lines[3], StringComparison.Ordinal);
        Assert.Contains("pfn=17 source=0 target=1", lines[3], StringComparison.Ordinal);
        Assert.DoesNotContain("internal.detail", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("      ├─ lock_page 200 µs", lines[4], StringComparison.Ordinal);
        Assert.Contains("step=1", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("      └─ wait_on_page_writeback 100 µs", lines[5], StringComparison.Ordinal);
        Assert.StartsWith($"trace {TraceB} (1 span", lines[6], StringComparison.Ordinal);
        Assert.StartsWith("other_root 52.45 s", lines[7], StringComparison.Ordinal);
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
        var path = temp.Write("spans.jsonl", File2Traces() + "\n{\"traceId\": 5}\n");

        var result = await CliProcess.RunAsync("trace", "show", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"migration-cluster: {path}:7: ", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
    }

    [Fact]
    public async Task Missing_file_exits_2()
    {
        using var temp = new TempDirectory();

        var result = await CliProcess.RunAsync("trace", "show", temp.File("none.jsonl"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("none.jsonl", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }
}
