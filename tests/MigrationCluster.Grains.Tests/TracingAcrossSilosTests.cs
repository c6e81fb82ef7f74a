using System.Collections.Concurrent;
using System.Diagnostics;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Tests;

public sealed class TracingAcrossSilosTests
{
    private const string OrleansApplicationSource = "Microsoft.Orleans.Application";

    [Fact]
    public async Task A_migration_across_three_silos_is_one_trace_with_the_grain_calls_of_each_step_under_its_span()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is MigrationTelemetry.ActivitySourceName or OrleansApplicationSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await using var grains = await GrainCluster.StartAsync(nodes: 3, framesPerNode: 128, silos: 3);
        var silosOfNodes = new HashSet<string>();
        for (var n = 0; n < 3; n++)
        {
            silosOfNodes.Add((await grains.Grains.GetGrain<INumaNodeGrain>(n).GetStatus()).Silo);
        }
        Assert.Equal(3, silosOfNodes.Count);

        // A process on node 0 with private pages and a file: every step of the table runs.
        var space = grains.Grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(GrainCluster.Process(home: 0, nodes: 3));
        var anon = await space.MmapAnon(8, shared: false);
        var file = await space.MmapShared(await space.CreateFile(), 0, 8, writable: true);
        for (var i = 0; i < 8; i++)
        {
            await space.Access(anon.Start + i, write: true, (ulong)(i + 1));
            await space.Access(file.Start + i, write: true, (ulong)(i + 100));
        }
        var table = await space.GetPageTable();
        MigrationRequest[] requests = [.. table.Select((e, i) => new MigrationRequest(e.Page, 1 + (i % 2)))];

        var result = await grains.Grains.GetGrain<IMigrationCoordinatorGrain>(0).MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall);
        Assert.Equal(16, result.Succeeded);

        var root = Assert.Single(spans, s => s.OperationName == MigrationTelemetry.Spans.MigratePages && s.TraceId != default && s.GetTagItem(MigrationTelemetry.Tags.PageCount) is 16);
        var trace = spans.Where(s => s.TraceId == root.TraceId).ToArray();
        // The client's call to the coordinator began the trace; the migration runs inside it.
        Assert.Contains(trace, s => s.Source.Name == OrleansApplicationSource && s.DisplayName.Contains("IMigrationCoordinatorGrain/MigratePages", StringComparison.Ordinal) && s.Kind == ActivityKind.Client);

        var stepSpans = trace.Where(s => s.GetTagItem(MigrationTelemetry.Tags.Step) is not null).ToDictionary(s => s.SpanId);
        var stepsWithCalls = trace
            .Where(s => s.Source.Name == OrleansApplicationSource && s.Kind == ActivityKind.Client && stepSpans.ContainsKey(s.ParentSpanId))
            .Select(s => (int)stepSpans[s.ParentSpanId].GetTagItem(MigrationTelemetry.Tags.Step)!)
            .ToHashSet();
        Assert.True(stepsWithCalls.Count >= 12, $"grain calls under {stepsWithCalls.Count} distinct steps: {string.Join(",", stepsWithCalls.Order())}");
        Assert.Equal(MigrationSteps.InOrder.Select(s => s.Number()).Order(), stepsWithCalls.Order());

        // The node grains' side of the calls, on all three silos, is in the same trace: the
        // coordinator reaches them through their protocol-step role.
        var nodesServed = trace
            .Where(s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("INumaNodeMigrationGrain/", StringComparison.Ordinal))
            .Select(s => s.GetTagItem("orleans.rpc.target_id") as string)
            .ToHashSet();
        Assert.Equal(3, nodesServed.Count);
    }
}
