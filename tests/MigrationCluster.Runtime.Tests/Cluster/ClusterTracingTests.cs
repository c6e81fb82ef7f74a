using System.Diagnostics;
using MigrationCluster.Runtime.Telemetry;
using MigrationCluster.Runtime.Testing;
using MigrationCluster.Runtime.Tests.Telemetry;
using static MigrationCluster.Runtime.Tests.Cluster.ClusterTestSetup;

namespace MigrationCluster.Runtime.Tests.Cluster;

[Collection(ClusterTestCollection.Name)]
public sealed class ClusterTracingTests
{
    private static readonly ActivitySource Test = new("MigrationCluster.Tests.ClusterTracing");

    [Fact]
    public async Task One_trace_spans_the_client_and_every_silo_the_call_chain_touched()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        using var collector = new SpanCollector(TelemetryNames.RuntimeActivitySource, Test.Name);
        string[] homes;
        using (Test.StartActivity("migration"))
        {
            homes = [await cluster.Client.GetGrain<INumaPlacedGrain>(0).WhereAmI(), await cluster.Client.GetGrain<INumaPlacedGrain>(0).WhereIsOther(1)];
        }
        Assert.NotEqual(homes[0], homes[1]);
        var spans = collector.Spans;
        var root = spans.Single(s => s.OperationName == "migration");
        var servers = spans.Where(s => s.Kind == ActivityKind.Server && s.TraceId == root.TraceId).ToList();
        // Client -> silo of node 0 (twice), and silo of node 0 -> silo of node 1: one trace across processes' worth of silos.
        Assert.Contains(servers, s => (string?)s.GetTagItem(TelemetryNames.Tags.GrainId) == "numaplaced/0");
        var nested = Assert.Single(servers, s => (string?)s.GetTagItem(TelemetryNames.Tags.GrainId) == "numaplaced/1");
        var hop = spans.Single(s => s.SpanId == nested.ParentSpanId);
        Assert.Equal(ActivityKind.Client, hop.Kind);
        var callerServer = spans.Single(s => s.SpanId == hop.ParentSpanId);
        Assert.Equal("numaplaced/0", callerServer.GetTagItem(TelemetryNames.Tags.GrainId));
        Assert.All(spans.Where(s => s.Source.Name == TelemetryNames.RuntimeActivitySource && s.OperationName.Contains("NumaPlaced", StringComparison.Ordinal)), s => Assert.Equal(root.TraceId, s.TraceId));
    }
}
