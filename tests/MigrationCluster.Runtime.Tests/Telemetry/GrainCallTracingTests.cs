using System.Diagnostics;
using MigrationCluster.Runtime.Telemetry;
using MigrationCluster.Runtime.Tests.Grains;

namespace MigrationCluster.Runtime.Tests.Telemetry;

// Activity listeners are process-wide: these tests must not run beside each other.
[Collection(nameof(TracingCollection))]
public sealed class GrainCallTracingTests
{
    [Fact]
    public async Task Grain_calls_make_client_and_server_spans_that_nest_across_calls()
    {
        using var collector = new SpanCollector(TelemetryNames.RuntimeActivitySource, TracedGrain.Application.Name);
        await using var silo = TestSilo.Create();
        var a = silo.GrainFactory.GetGrain<ITracedGrain>(1);
        var b = silo.GrainFactory.GetGrain<ITracedGrain>(2);

        using (var root = TracedGrain.Application.StartActivity("test-root"))
        {
            await a.Traced(b);
        }

        var spans = collector.Spans;
        var testRoot = spans.Single(s => s.OperationName == "test-root");
        var clients = spans.Where(s => s.OperationName == "ITracedGrain/Traced" && s.Kind == ActivityKind.Client).ToList();
        var servers = spans.Where(s => s.OperationName == "ITracedGrain/Traced" && s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(2, clients.Count);
        Assert.Equal(2, servers.Count);
        Assert.All(spans, s => Assert.Equal(testRoot.TraceId, s.TraceId));

        var clientA = clients.Single(c => c.ParentSpanId == testRoot.SpanId);
        var serverA = servers.Single(s => s.ParentSpanId == clientA.SpanId);
        var appA = spans.Single(s => s.OperationName == "app-work" && s.ParentSpanId == serverA.SpanId);
        var clientB = clients.Single(c => c.ParentSpanId == appA.SpanId);
        var serverB = servers.Single(s => s.ParentSpanId == clientB.SpanId);
        Assert.Single(spans, s => s.OperationName == "app-work" && s.ParentSpanId == serverB.SpanId);

        Assert.Equal("traced/1", serverA.GetTagItem(TelemetryNames.Tags.GrainId));
        Assert.Equal("ITracedGrain", serverA.GetTagItem(TelemetryNames.Tags.RpcService));
        Assert.Equal("Traced", serverA.GetTagItem(TelemetryNames.Tags.RpcMethod));
        Assert.Equal(TelemetryNames.Tags.RpcSystemValue, clientA.GetTagItem(TelemetryNames.Tags.RpcSystem));
    }

    [Fact]
    public async Task A_failing_call_marks_both_spans_as_errors()
    {
        using var collector = new SpanCollector(TelemetryNames.RuntimeActivitySource);
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ITracedGrain>(3);
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail());
        var client = collector.Single("ITracedGrain/Fail", ActivityKind.Client);
        var server = collector.Single("ITracedGrain/Fail", ActivityKind.Server);
        Assert.Equal(ActivityStatusCode.Error, client.Status);
        Assert.Equal(ActivityStatusCode.Error, server.Status);
        Assert.Contains(server.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task Trace_context_crosses_grain_calls_when_nobody_listens_to_the_runtime()
    {
        // Only the application's own source is listened to: the runtime makes no spans, yet the
        // grains' spans stay in the caller's trace.
        using var collector = new SpanCollector(TracedGrain.Application.Name);
        await using var silo = TestSilo.Create();
        var a = silo.GrainFactory.GetGrain<ITracedGrain>(4);
        var b = silo.GrainFactory.GetGrain<ITracedGrain>(5);
        SpanIds ids;
        ActivityTraceId traceId;
        ActivitySpanId rootSpan;
        using (var root = TracedGrain.Application.StartActivity("test-root"))
        {
            traceId = root!.TraceId;
            rootSpan = root.SpanId;
            ids = await a.Traced(b);
        }
        Assert.DoesNotContain(collector.Spans, s => s.Source.Name == TelemetryNames.RuntimeActivitySource);
        Assert.Equal(traceId.ToHexString(), ids.TraceId);
        Assert.Equal(traceId.ToHexString(), ids.Inner!.TraceId);
        // The context a grain should parent its spans on is the caller's span.
        Assert.Equal(rootSpan.ToHexString(), ids.ExplicitParentSpanId);
        Assert.Equal(ids.SpanId, ids.Inner.ExplicitParentSpanId);
    }

    [Fact]
    public async Task GrainActivity_starts_spans_parented_on_the_caller_when_the_runtime_is_not_sampled()
    {
        using var collector = new SpanCollector(TracedGrain.Application.Name);
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGrainActivityProbe>(1);
        using (var root = TracedGrain.Application.StartActivity("test-root"))
        {
            await grain.Work();
        }
        var rootSpan = collector.Spans.Single(s => s.OperationName == "test-root");
        var child = collector.Spans.Single(s => s.OperationName == "probe-step");
        Assert.Equal(rootSpan.TraceId, child.TraceId);
        Assert.Equal(rootSpan.SpanId, child.ParentSpanId);
    }
}

[CollectionDefinition(nameof(TracingCollection), DisableParallelization = true)]
public sealed class TracingCollection
{
}

[Collection(nameof(TracingCollection))]
public sealed class RuntimeMetricsTests
{
    [Fact]
    public async Task Calls_timeouts_and_activations_are_measured()
    {
        var measurements = new System.Collections.Concurrent.ConcurrentBag<(string Instrument, double Value, string? Method)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TelemetryNames.RuntimeMeter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? method = null;
            foreach (var tag in tags)
            {
                if (tag.Key == TelemetryNames.Tags.Method)
                {
                    method = tag.Value as string;
                }
            }
            measurements.Add((instrument.Name, value, method));
        }
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IGateGrain>(77);
        await grain.Ping();
        await Assert.ThrowsAsync<TimeoutException>(() => grain.SleepLong(2000));

        Assert.Contains(measurements, m => m.Instrument == TelemetryNames.Instruments.CallDuration && m.Method == "IGateGrain/Ping" && m.Value >= 0);
        Assert.Contains(measurements, m => m.Instrument == TelemetryNames.Instruments.Calls && m.Method == "IGateGrain/Ping");
        Assert.Contains(measurements, m => m.Instrument == TelemetryNames.Instruments.CallTimeouts && m.Method == "IGateGrain/SleepLong");
        Assert.Contains(measurements, m => m.Instrument == TelemetryNames.Instruments.ActivationsCreated && m.Value == 1);
    }
}
