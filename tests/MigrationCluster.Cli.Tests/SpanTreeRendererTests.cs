using System.Diagnostics;
using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.Tests.Telemetry;

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
        migrate_pages 12.3 ms  mode=sync count=2
        ├─ unmap_and_move 4.0 ms  pfn=17
        │  ├─ lock_page 200 µs  step=1 pfn=17
        │  └─ try_to_unmap 500 µs  step=4 pfn=17  {set_migration_pte×2}
        └─ unmap_and_move 6.0 ms  pfn=18  [error: EAGAIN]
           └─ INumaNodeGrain/LockPage 1.0 ms (client)
        copy_page 1.5 ms  step=12  [parent aaaaaaaaaaaaaaaa missing]

        """;

    private const string ExpectedTraceB =
        """
        trace 0af7651916cd43dd8448eb211c80319c (1 span, service svc)
        migrate_pages 2.50 s  mode=async

        """;

    [Fact]
    public void Known_tree_renders_in_start_order_with_indentation_and_marks()
    {
        var text = new SpanTreeRenderer().Render(KnownSpans());
        Assert.Equal(ExpectedTraceA + "\n" + ExpectedTraceB, text);
    }

    [Fact]
    public void Trace_id_filter_keeps_one_trace()
    {
        var renderer = new SpanTreeRenderer();
        using var writer = new StringWriter { NewLine = "\n" };
        Assert.Equal(1, renderer.Render(KnownSpans(), writer, TraceB.ToUpperInvariant()));
        Assert.Equal(ExpectedTraceB, writer.ToString());

        Assert.Equal(0, renderer.Render(KnownSpans(), TextWriter.Null, "ffffffffffffffffffffffffffffffff"));
    }

    [Fact]
    public void All_attributes_can_be_shown_under_their_full_names()
    {
        var renderer = new SpanTreeRenderer(new SpanTreeRendererOptions { ShowAllAttributes = true, ShowEvents = false });
        var text = renderer.Render(KnownSpans(), TraceA);
        Assert.Contains("migrate_pages 12.3 ms  migration.mode=sync page.count=2 rpc.system=hidden\n", text, StringComparison.Ordinal);
        Assert.Contains("try_to_unmap 500 µs  migration.step=4 page.pfn=17\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_cycle_is_still_drawn_and_marked()
    {
        var spans = new[]
        {
            Span(TraceA, "000000000000000a", "000000000000000b", "a", 0, Ms),
            Span(TraceA, "000000000000000b", "000000000000000a", "b", 2 * Ms, 3 * Ms),
        };

        var lines = new SpanTreeRenderer().Render(spans).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["trace 4bf92f3577b34da6a3ce929d0e0e4736 (2 spans, service svc)", "a 1.0 ms  [parent cycle]", "└─ b 1.0 ms"], lines);
    }

    [Fact]
    public void A_file_renders_through_the_reader()
    {
        using var file = new TempFile();
        File.WriteAllLines(file.Path,
        [
            """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"lock_page","kind":"internal","startTimeUnixNano":1000000,"endTimeUnixNano":1250000,"status":"unset","attributes":{"migration.step":1,"page.pfn":17},"events":[]}""",
            """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"0000000000000001","parentSpanId":"","name":"migrate_pages","kind":"internal","startTimeUnixNano":0,"endTimeUnixNano":12300000,"status":"unset","attributes":{},"events":[]}""",
        ]);

        using var writer = new StringWriter { NewLine = "\n" };
        Assert.Equal(1, new SpanTreeRenderer().RenderFile(file.Path, writer));
        Assert.Equal(
            "trace 4bf92f3577b34da6a3ce929d0e0e4736 (2 spans)\nmigrate_pages 12.3 ms\n└─ lock_page 250 µs  step=1 pfn=17\n",
            writer.ToString());
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
