using System.Diagnostics;
using MigrationCluster.Cli.Trace;
using MigrationCluster.Hosting.Telemetry;
using Spectre.Console;

namespace MigrationCluster.Cli.Tests;

public sealed class SpanTreeRendererTests
{
    private const string TraceA = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceB = "0af7651916cd43dd8448eb211c80319c";
    private const long Ms = 1_000_000;

    private static readonly KeyValuePair<string, object?>[] Service = [new("service.name", "svc")];

    private static SpanRecord Span(
        string trace, string id, string parent, string name, long start, long end,
        ActivityKind kind = ActivityKind.Internal, params (string Key, object? Value)[] tags) => new()
        {
            TraceId = trace,
            SpanId = id,
            ParentSpanId = parent,
            Name = name,
            Kind = kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Attributes = [.. tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value))],
            Resource = Service,
        };

    private static List<SpanRecord> KnownSpans()
    {
        var pte = new SpanEventRecord("set_migration_pte", 1_600_000, []);
        var spans = new List<SpanRecord>
        {
            Span(TraceA, "0000000000000001", "", "migrate_pages", 0, 12_300_000, tags: [("migration.mode", "sync"), ("page.count", 2L), ("rpc.system", "hidden")]),
            Span(TraceA, "0000000000000002", "0000000000000001", "unmap_and_move", 1 * Ms, 5 * Ms, tags: [("page.pfn", 17L)]),
            Span(TraceA, "0000000000000003", "0000000000000002", "lock_page", 1_100_000, 1_300_000, tags: [("page.pfn", 17L), ("migration.step", 1L)]),
            Span(TraceA, "0000000000000004", "0000000000000002", "try_to_unmap", 1_500_000, 2 * Ms, tags: [("migration.step", 4L), ("page.pfn", 17L)]) with
            {
                Events = [pte, pte with { TimeUnixNano = 1_700_000 }],
            },
            Span(TraceA, "0000000000000005", "0000000000000001", "unmap_and_move", 6 * Ms, 12 * Ms, tags: [("page.pfn", 18L)]) with
            {
                Status = ActivityStatusCode.Error,
                StatusDescription = "EAGAIN",
            },
            Span(TraceA, "0000000000000006", "0000000000000005", "INumaNodeGrain/LockPage", 6_100_000, 7_100_000, ActivityKind.Client),
            Span(TraceA, "0000000000000007", "aaaaaaaaaaaaaaaa", "copy_page", 8 * Ms, 9_500_000, tags: [("migration.step", 12L)]),
            Span(TraceB, "00000000000000b1", "", "migrate_pages", 20 * Ms, 2_520 * Ms, tags: [("migration.mode", "async")]),
        };

        // The renderer must order by start time, not by input order.
        spans.Reverse();
        return spans;
    }

    private const string ExpectedTraceA =
        """
        trace 4bf92f3577b34da6a3ce929d0e0e4736 (7 spans, service svc)
        ├── migrate_pages 12.3 ms  mode=sync count=2
        │   ├── unmap_and_move 4.0 ms  pfn=17
        │   │   ├── lock_page 200 µs  step=1 pfn=17
        │   │   └── try_to_unmap 500 µs  step=4 pfn=17  {set_migration_pte×2}
        │   └── unmap_and_move 6.0 ms  pfn=18  [error: EAGAIN]
        │       └── INumaNodeGrain/LockPage 1.0 ms (client)
        └── copy_page 1.5 ms  step=12  [parent aaaaaaaaaaaaaaaa missing]

        """;

    private const string ExpectedTraceB =
        """
        trace 0af7651916cd43dd8448eb211c80319c (1 span, service svc)
        └── migrate_pages 2.50 s  mode=async

        """;

    /// <summary>What the command prints to a file or a pipe: no colour codes, no wrapping.</summary>
    private static (int Traces, string Text) Render(SpanTreeRenderer renderer, IEnumerable<SpanRecord> spans, string? traceId = null)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 65_536;
        var traces = renderer.Render(spans, console, traceId);
        return (traces, writer.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Known_tree_renders_in_start_order_with_indentation_and_marks()
    {
        var (traces, text) = Render(new SpanTreeRenderer(), KnownSpans());
        Assert.Equal(2, traces);
        Assert.Equal(ExpectedTraceA + "\n" + ExpectedTraceB, text);
    }

    [Fact]
    public void Trace_id_filter_keeps_one_trace()
    {
        var renderer = new SpanTreeRenderer();
        Assert.Equal((1, ExpectedTraceB), Render(renderer, KnownSpans(), TraceB.ToUpperInvariant()));
        Assert.Equal((0, string.Empty), Render(renderer, KnownSpans(), "ffffffffffffffffffffffffffffffff"));
    }

    [Fact]
    public void All_attributes_can_be_shown_under_their_full_names()
    {
        var renderer = new SpanTreeRenderer(new SpanTreeRendererOptions { ShowAllAttributes = true, ShowEvents = false });
        var text = Render(renderer, KnownSpans(), TraceA).Text;
        Assert.Contains("── migrate_pages 12.3 ms  migration.mode=sync page.count=2 rpc.system=hidden\n", text, StringComparison.Ordinal);
        Assert.Contains("── try_to_unmap 500 µs  migration.step=4 page.pfn=17\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_cycle_is_still_drawn_and_marked()
    {
        var spans = new[]
        {
            Span(TraceA, "000000000000000a", "000000000000000b", "a", 0, Ms),
            Span(TraceA, "000000000000000b", "000000000000000a", "b", 2 * Ms, 3 * Ms),
        };

        var lines = Render(new SpanTreeRenderer(), spans).Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["trace 4bf92f3577b34da6a3ce929d0e0e4736 (2 spans, service svc)", "└── a 1.0 ms  [parent cycle]", "    └── b 1.0 ms"], lines);
    }

    [Fact]
    public void A_trace_nested_twenty_thousand_deep_is_drawn_to_the_depth_limit_and_says_what_it_cut()
    {
        const int Depth = 20_000;
        var spans = Enumerable.Range(0, Depth)
            .Select(i => Span(TraceA, (i + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), i == 0 ? "" : i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), "level" + i, i, Depth * 2 - i))
            .ToList();

        var lines = Render(new SpanTreeRenderer(new SpanTreeRendererOptions { MaxDepth = 10 }), spans).Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(1 + 10 + 1, lines.Length);
        Assert.Equal("└── level0 40 µs", lines[1]);
        Assert.Equal(new string(' ', 4 * 9) + "└── level9 40 µs", lines[10]);
        Assert.Equal(new string(' ', 4 * 10) + "└── … 19,990 more spans nested deeper than 10 levels, not drawn (--max-depth)", lines[11]);
    }

    [Fact]
    public void A_wide_tree_is_drawn_whole_below_the_depth_limit()
    {
        var spans = new List<SpanRecord> { Span(TraceA, "0000000000000001", "", "root", 0, Ms) };
        spans.AddRange(Enumerable.Range(2, 5_000).Select(i => Span(TraceA, i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), "0000000000000001", "child", i, i + 1)));

        var lines = Render(new SpanTreeRenderer(), spans).Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2 + 5_000, lines.Length);
        Assert.Equal("    └── child 0 µs", lines[^1]);
    }

    [Theory]
    [InlineData(0.0004, "0 µs")]
    [InlineData(0.85, "850 µs")]
    [InlineData(12.34, "12.3 ms")]
    [InlineData(999.9, "999.9 ms")]
    [InlineData(1250, "1.25 s")]
    public void Durations_pick_a_readable_unit(double milliseconds, string expected)
    {
        Assert.Equal(expected, SpanTreeRenderer.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
