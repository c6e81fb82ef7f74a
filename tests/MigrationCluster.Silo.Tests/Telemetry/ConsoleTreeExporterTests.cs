using System.Diagnostics;
using System.Text.RegularExpressions;
using MigrationCluster.Silo.Telemetry;
using OpenTelemetry.Trace;

namespace MigrationCluster.Silo.Tests.Telemetry;

public sealed partial class ConsoleTreeExporterTests
{
    // Real spans have real durations: compare the tree with the numbers taken out.
    [GeneratedRegex(@"\d+(\.\d+)? (ms|µs|s)\b")]
    private static partial Regex DurationPattern();

    private static string[] Lines(StringWriter writer) =>
        DurationPattern().Replace(writer.ToString(), "D").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string NewSourceName() => "MigrationCluster.Tests.Console." + Guid.NewGuid().ToString("N");

    [Fact]
    public void A_root_with_children_prints_one_tree_when_the_root_ends()
    {
        var sourceName = NewSourceName();
        using var source = new ActivitySource(sourceName);
        using var console = new StringWriter { NewLine = "\n" };
        using var provider = MigrationClusterTracing.Build(TraceExportOptions.Parse("console"), [sourceName], "console-test", console, _ => null);

        string traceId;
        using (var root = source.StartActivity("migrate_pages")!)
        {
            traceId = root.TraceId.ToHexString();
            root.SetTag("migration.mode", "sync");
            using (var page = source.StartActivity("unmap_and_move")!)
            {
                page.SetTag("page.pfn", 17);
                using (var step = source.StartActivity("lock_page")!)
                {
                    step.SetTag("migration.step", 1);
                    step.SetTag("page.pfn", 17);
                }

                using (var unmap = source.StartActivity("try_to_unmap")!)
                {
                    unmap.SetTag("migration.step", 4);
                    unmap.AddEvent(new ActivityEvent("set_migration_pte"));
                    unmap.SetStatus(ActivityStatusCode.Error, "EAGAIN");
                }
            }

            // Children have ended, the root has not: nothing is printed yet.
            Assert.Equal(string.Empty, console.ToString());
        }

        Assert.Equal(
        [
            $"trace {traceId} (4 spans, service console-test)",
            "migrate_pages D  mode=sync",
            "└─ unmap_and_move D  pfn=17",
            "   ├─ lock_page D  step=1 pfn=17",
            "   └─ try_to_unmap D  step=4  {set_migration_pte}  [error: EAGAIN]",
        ],
        Lines(console));

        // A second trace gets its own tree, printed after the first.
        source.StartActivity("migrate_pages")!.Dispose();
        Assert.Equal(7, Lines(console).Length);
        Assert.StartsWith("trace ", Lines(console)[5], StringComparison.Ordinal);
        Assert.Equal("migrate_pages D", Lines(console)[6]);
    }

    [Fact]
    public void A_span_whose_parent_is_in_another_process_prints_when_it_ends()
    {
        var sourceName = NewSourceName();
        using var source = new ActivitySource(sourceName);
        using var console = new StringWriter { NewLine = "\n" };
        using var provider = MigrationClusterTracing.Build(TraceExportOptions.Parse("console"), [sourceName], "silo", console, _ => null);

        var remoteParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        using (var server = source.StartActivity("INumaNodeGrain/LockPage", ActivityKind.Server, remoteParent)!)
        {
            source.StartActivity("lock_page")!.Dispose();
            Assert.Equal(string.Empty, console.ToString());
        }

        Assert.Equal(
        [
            $"trace {remoteParent.TraceId.ToHexString()} (2 spans, service silo)",
            $"INumaNodeGrain/LockPage D (server)  [parent {remoteParent.SpanId.ToHexString()} missing]",
            "└─ lock_page D",
        ],
        Lines(console));
    }

    [Fact]
    public void Spans_whose_root_never_ends_here_are_printed_at_shutdown()
    {
        var sourceName = NewSourceName();
        using var source = new ActivitySource(sourceName);
        using var console = new StringWriter { NewLine = "\n" };
        var provider = MigrationClusterTracing.Build(TraceExportOptions.Parse("console"), [sourceName], "svc", console, _ => null)!;

        // A local (not remote) parent context whose span is never exported by this provider.
        var localParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: false);
        source.StartActivity("copy_page", ActivityKind.Internal, localParent)!.Dispose();
        Assert.Equal(string.Empty, console.ToString());

        provider.Dispose();
        Assert.Equal(
        [
            $"trace {localParent.TraceId.ToHexString()} (1 span, service svc)",
            $"copy_page D  [parent {localParent.SpanId.ToHexString()} missing]",
        ],
        Lines(console));
    }

    [Fact]
    public void The_buffer_is_bounded()
    {
        var sourceName = NewSourceName();
        using var source = new ActivitySource(sourceName);
        using var console = new StringWriter { NewLine = "\n" };
        var exporter = new ConsoleTreeExporter(console, maxBufferedSpans: 3);
        using var provider = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .AddProcessor(new OpenTelemetry.SimpleActivityExportProcessor(exporter))
            .Build();

        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        for (var i = 0; i < 3; i++)
        {
            source.StartActivity("copy_page", ActivityKind.Internal, parent)!.Dispose();
        }

        Assert.Equal(3, exporter.BufferedSpans);
        Assert.Equal(string.Empty, console.ToString());

        source.StartActivity("copy_page", ActivityKind.Internal, parent)!.Dispose();
        Assert.Equal(0, exporter.BufferedSpans);
        Assert.Equal(5, Lines(console).Length);
    }
}
