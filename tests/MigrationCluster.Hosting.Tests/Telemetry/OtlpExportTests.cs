using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Google.Protobuf;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting.Tests.Telemetry.Otlp;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OtlpStatus = MigrationCluster.Hosting.Tests.Telemetry.Otlp.Status;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class OtlpExportTests
{
    /// <summary>Points the SDK's OTLP options, read from the environment first, at a test receiver.</summary>
    private static Action<OpenTelemetry.Exporter.OtlpExporterOptions> SendTo(Uri endpoint, OpenTelemetry.Exporter.OtlpExportProtocol protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf) => o =>
    {
        o.Protocol = protocol;
        o.Endpoint = endpoint;
    };

    [Fact]
    public async Task Span_tree_arrives_at_a_real_OTLP_HTTP_receiver()
    {
        await using var receiver = await OtlpHttpReceiver.StartAsync();
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.Otlp],
            ConfigureOtlp = SendTo(new Uri(receiver.BaseAddress, "v1/traces")),

            // Only the explicit flush sends: one request, whatever the machine's load.
            Batch = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 600_000 },
        };

        var undelivered = new List<string>();
        using var session = MigrationClusterTracing.Start(options, [sourceName], "otlp-test-service", undelivered.Add);
        Assert.NotNull(session);

        Activity root, child, grandchild;
        using (root = source.StartActivity("migrate_pages")!)
        {
            root.SetTag("migration.mode", "sync");
            root.SetTag("page.count", 2);
            using (child = source.StartActivity("unmap_and_move", ActivityKind.Client)!)
            {
                child.SetTag("page.pfn", 17L);
                child.SetTag("ratio", 0.5);
                child.SetTag("page.dirty", true);
                child.SetTag("nodes", new[] { 0L, 1L });
                using (grandchild = source.StartActivity("try_to_unmap")!)
                {
                    grandchild.SetTag("migration.step", 4);
                    grandchild.AddEvent(new ActivityEvent("set_migration_pte", tags: new ActivityTagsCollection { ["pte.address"] = 4096L }));
                    grandchild.SetStatus(ActivityStatusCode.Error, "EAGAIN");
                }
            }
        }

        Assert.True(session.ForceFlush(10_000));

        var request = Assert.Single(receiver.Requests, r => r.Path == "/v1/traces");
        Assert.Equal(OtlpHttpReceiver.ProtobufContentType, request.ContentType);

        var allResourceSpans = receiver.TraceRequests.SelectMany(r => r.ResourceSpans).ToList();
        Assert.All(allResourceSpans, rs => Assert.Equal("otlp-test-service", StringAttribute(rs.Resource.Attributes, "service.name")));
        var allScopeSpans = allResourceSpans.SelectMany(rs => rs.ScopeSpans).ToList();
        Assert.All(allScopeSpans, ss => Assert.Equal(sourceName, ss.Scope.Name));

        var spans = allScopeSpans.SelectMany(ss => ss.Spans).ToDictionary(s => s.Name);
        Assert.Equal(3, spans.Count);
        var rootSpan = spans["migrate_pages"];
        var childSpan = spans["unmap_and_move"];
        var grandchildSpan = spans["try_to_unmap"];

        // One trace, linked parent to child by span id.
        Assert.All(spans.Values, s => Assert.Equal(Hex(root.TraceId.ToHexString()), s.TraceId));
        Assert.Equal(Hex(root.SpanId.ToHexString()), rootSpan.SpanId);
        Assert.True(rootSpan.ParentSpanId.IsEmpty);
        Assert.Equal(rootSpan.SpanId, childSpan.ParentSpanId);
        Assert.Equal(childSpan.SpanId, grandchildSpan.ParentSpanId);
        Assert.Equal(Hex(grandchild.SpanId.ToHexString()), grandchildSpan.SpanId);

        Assert.Equal(Span.Types.SpanKind.Internal, rootSpan.Kind);
        Assert.Equal(Span.Types.SpanKind.Client, childSpan.Kind);
        Assert.Equal((ulong)SpanRecord.ToUnixNano(root.StartTimeUtc), rootSpan.StartTimeUnixNano);
        Assert.True(rootSpan.EndTimeUnixNano >= rootSpan.StartTimeUnixNano);

        Assert.Equal("sync", StringAttribute(rootSpan.Attributes, "migration.mode"));
        Assert.Equal(2, Attribute(rootSpan.Attributes, "page.count").IntValue);
        Assert.Equal(17, Attribute(childSpan.Attributes, "page.pfn").IntValue);
        Assert.Equal(0.5, Attribute(childSpan.Attributes, "ratio").DoubleValue);
        Assert.True(Attribute(childSpan.Attributes, "page.dirty").BoolValue);
        Assert.Equal([0L, 1L], Attribute(childSpan.Attributes, "nodes").ArrayValue.Values.Select(v => v.IntValue));
        Assert.Equal(4, Attribute(grandchildSpan.Attributes, "migration.step").IntValue);

        var pteEvent = Assert.Single(grandchildSpan.Events);
        Assert.Equal("set_migration_pte", pteEvent.Name);
        Assert.Equal(4096, Attribute(pteEvent.Attributes, "pte.address").IntValue);
        Assert.Equal(OtlpStatus.Types.StatusCode.Error, grandchildSpan.Status.Code);
        Assert.Equal("EAGAIN", grandchildSpan.Status.Message);
        // An unset status is simply not sent.
        Assert.Equal(OtlpStatus.Types.StatusCode.Unset, rootSpan.Status?.Code ?? OtlpStatus.Types.StatusCode.Unset);
    }

    [Fact]
    public async Task Grpc_reaches_a_real_HTTP2_receiver()
    {
        await using var receiver = await OtlpGrpcReceiver.StartAsync();
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);

        string parentSpanId;
        var undelivered = new List<string>();
        using (MigrationClusterTracing.Start(
            new TraceExportOptions { Targets = [TraceExportTarget.Otlp], ConfigureOtlp = SendTo(receiver.BaseAddress, OpenTelemetry.Exporter.OtlpExportProtocol.Grpc) },
            [sourceName],
            "grpc-test",
            undelivered.Add))
        {
            using var root = source.StartActivity("migrate_pages")!;
            parentSpanId = root.SpanId.ToHexString();
            source.StartActivity("lock_page")!.Dispose();
        }

        // Disposing the session flushed the batch; every span arrived, so nothing is reported.
        Assert.Empty(undelivered);
        var allResourceSpans = receiver.TraceRequests.SelectMany(r => r.ResourceSpans).ToList();
        Assert.NotEmpty(allResourceSpans);
        Assert.All(allResourceSpans, rs => Assert.Equal("grpc-test", StringAttribute(rs.Resource.Attributes, "service.name")));
        var spans = allResourceSpans.SelectMany(rs => rs.ScopeSpans).SelectMany(s => s.Spans).ToDictionary(s => s.Name);
        Assert.Equal(2, spans.Count);
        Assert.Equal(Hex(parentSpanId), spans["lock_page"].ParentSpanId);
        Assert.Equal(spans["migrate_pages"].SpanId, spans["lock_page"].ParentSpanId);
    }

    [Fact]
    public void Spans_no_collector_received_are_counted_and_reported_with_where_they_were_going()
    {
        var endpoint = new Uri($"http://127.0.0.1:{ClosedPort()}/v1/traces");
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.Otlp],
            ConfigureOtlp = o =>
            {
                SendTo(endpoint)(o);
                o.TimeoutMilliseconds = 2_000;
            },
            Batch = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 600_000 },
        };

        var undelivered = new List<string>();
        TraceSession? session;
        using (session = MigrationClusterTracing.Start(options, [sourceName], "nowhere", undelivered.Add))
        {
            for (var i = 0; i < 5; i++)
            {
                source.StartActivity("lock_page")!.Dispose();
            }
        }

        var delivery = Assert.Single(session!.OtlpDeliveries);
        Assert.Equal(5, delivery.ReceivedSpans);
        Assert.Equal(5, delivery.FailedSpans);
        Assert.Equal(0, delivery.DroppedSpans);
        Assert.Equal(
            $"otlp: 5 of 5 spans could not be delivered to {endpoint} (http/protobuf); is a collector listening there (OTEL_EXPORTER_OTLP_ENDPOINT)?",
            Assert.Single(undelivered));
    }

    [Fact]
    public void Spans_dropped_from_a_full_queue_count_as_undelivered()
    {
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.Otlp],
            ConfigureOtlp = SendTo(new Uri($"http://127.0.0.1:{ClosedPort()}/v1/traces")),
            Batch = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 600_000, MaxQueueSize = 10, MaxExportBatchSize = 10 },
        };

        var undelivered = new List<string>();
        TraceSession? session;
        using (session = MigrationClusterTracing.Start(options, [sourceName], "full", undelivered.Add))
        {
            for (var i = 0; i < 100; i++)
            {
                source.StartActivity("lock_page")!.Dispose();
            }
        }

        var delivery = Assert.Single(session!.OtlpDeliveries);
        Assert.Equal(100, delivery.ReceivedSpans);
        Assert.Equal(100, delivery.UndeliveredSpans);
        Assert.True(delivery.DroppedSpans >= 80, $"{delivery.DroppedSpans} dropped");
        Assert.StartsWith("otlp: 100 of 100 spans could not be delivered", Assert.Single(undelivered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_go_to_v1_metrics_when_otlp_is_on()
    {
        await using var receiver = await OtlpHttpReceiver.StartAsync();
        var meterName = "MigrationCluster.Tests.Meter." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("pgmigrate_success");
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.Otlp],
            ConfigureOtlp = SendTo(new Uri(receiver.BaseAddress, "v1/metrics")),
        };

        using var provider = MigrationClusterTracing.BuildMetrics(options, [meterName], "metrics-test");
        Assert.NotNull(provider);
        counter.Add(3);
        Assert.True(provider.ForceFlush(10_000));

        var requests = receiver.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal(OtlpHttpReceiver.ProtobufContentType, r.ContentType));

        // The instrument's name is a protobuf string in the body.
        Assert.Contains(requests, r => r.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes("pgmigrate_success")) >= 0);
    }

    [Fact]
    public void Metrics_are_off_without_otlp()
    {
        var options = TraceExportOptions.Parse("console");
        Assert.Null(MigrationClusterTracing.BuildMetrics(options, ["m"], "svc"));
    }

    /// <summary>A loopback port nothing listens on, outside the kernel's ephemeral range.</summary>
    private static int ClosedPort() => LoopbackPorts.Free(1)[0];

    private static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static AnyValue Attribute(IEnumerable<KeyValue> attributes, string key) =>
        Assert.Single(attributes, a => a.Key == key).Value;

    private static string StringAttribute(IEnumerable<KeyValue> attributes, string key) =>
        Attribute(attributes, key).StringValue;
}
