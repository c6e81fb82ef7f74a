using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Google.Protobuf;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting.Tests.Telemetry.Otlp;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OtlpStatus = MigrationCluster.Hosting.Tests.Telemetry.Otlp.Status;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class OtlpExportTests
{
    private static readonly Func<string, string?> EmptyEnvironment = _ => null;

    [Fact]
    public async Task Span_tree_arrives_at_a_real_OTLP_HTTP_receiver()
    {
        await using var receiver = await OtlpHttpReceiver.StartAsync();
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.Otlp],
            Otlp = new OtlpConnectionOptions { Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, Endpoint = receiver.BaseAddress },

            // Only the explicit flush sends: one request, whatever the machine's load.
            Batch = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 600_000 },
        };

        using var provider = MigrationClusterTracing.Build(options, [sourceName], "otlp-test-service", EmptyEnvironment);
        Assert.NotNull(provider);

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

        Assert.True(provider.ForceFlush(10_000));

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
    public async Task Service_name_and_resource_attributes_come_from_the_environment_lookup()
    {
        await using var receiver = await OtlpHttpReceiver.StartAsync();
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var environment = new Dictionary<string, string>
        {
            [OtelEnvironment.OtlpEndpoint] = receiver.BaseAddress.AbsoluteUri,
            [OtelEnvironment.ServiceName] = "from-env",
            [OtelEnvironment.ResourceAttributes] = "deployment.environment=lab,host.role=silo%201",
        };

        using (var provider = MigrationClusterTracing.Build(
            new TraceExportOptions { Targets = [TraceExportTarget.Otlp] },
            [sourceName],
            "default-name",
            name => environment.GetValueOrDefault(name)))
        {
            source.StartActivity("migrate_pages")!.Dispose();
        }

        // Disposing the provider flushed the batch to the endpoint named by the variable (+ /v1/traces).
        var resource = receiver.TraceRequests.SelectMany(r => r.ResourceSpans).First().Resource;
        Assert.Equal("from-env", StringAttribute(resource.Attributes, "service.name"));
        Assert.Equal("lab", StringAttribute(resource.Attributes, "deployment.environment"));
        Assert.Equal("silo 1", StringAttribute(resource.Attributes, "host.role"));
    }

    [Fact]
    public async Task Grpc_protocol_from_the_environment_reaches_a_real_HTTP2_receiver()
    {
        await using var receiver = await OtlpGrpcReceiver.StartAsync();
        var sourceName = "MigrationCluster.Tests.Otlp." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var environment = new Dictionary<string, string>
        {
            [OtelEnvironment.OtlpProtocol] = "grpc",
            [OtelEnvironment.OtlpEndpoint] = receiver.BaseAddress.AbsoluteUri,
        };

        string parentSpanId;
        using (var provider = MigrationClusterTracing.Build(
            TraceExportOptions.Parse("otlp"), [sourceName], "grpc-test", name => environment.GetValueOrDefault(name)))
        {
            using var root = source.StartActivity("migrate_pages")!;
            parentSpanId = root.SpanId.ToHexString();
            source.StartActivity("lock_page")!.Dispose();
        }

        var allResourceSpans = receiver.TraceRequests.SelectMany(r => r.ResourceSpans).ToList();
        Assert.NotEmpty(allResourceSpans);
        Assert.All(allResourceSpans, rs => Assert.Equal("grpc-test", StringAttribute(rs.Resource.Attributes, "service.name")));
        var spans = allResourceSpans.SelectMany(rs => rs.ScopeSpans).SelectMany(s => s.Spans).ToDictionary(s => s.Name);
        Assert.Equal(2, spans.Count);
        Assert.Equal(Hex(parentSpanId), spans["lock_page"].ParentSpanId);
        Assert.Equal(spans["migrate_pages"].SpanId, spans["lock_page"].ParentSpanId);
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
            Otlp = new OtlpConnectionOptions { Endpoint = receiver.BaseAddress },
        };

        using var provider = MigrationClusterTracing.BuildMetrics(options, [meterName], "metrics-test", EmptyEnvironment);
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
        Assert.Null(MigrationClusterTracing.BuildMetrics(options, ["m"], "svc", EmptyEnvironment));
    }

    private static ByteString Hex(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static AnyValue Attribute(IEnumerable<KeyValue> attributes, string key) =>
        Assert.Single(attributes, a => a.Key == key).Value;

    private static string StringAttribute(IEnumerable<KeyValue> attributes, string key) =>
        Attribute(attributes, key).StringValue;
}
