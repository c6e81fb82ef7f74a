using System.Diagnostics;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Tests.Monitoring;

public sealed class MachineMonitorGrainTests
{
    [Fact]
    public async Task An_experiment_shows_its_machine_and_its_migration_on_the_monitor()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0, silos: 2);
        var monitor = cluster.Grains.GetMachineMonitor();
        var before = await monitor.GetSnapshot();
        Assert.Null(before.Machine);
        Assert.Empty(before.Calls);

        // 3 processes x 400 pages on 3 nodes: misplaced pages on every node.
        var spec = new ExperimentSpec([[10, 16, 20], [16, 10, 16], [20, 16, 10]], 2048, 3, 400, 0.25, WorkloadPattern.Random, 2, 50, 0.3, MigrateMode.Sync, 5);
        var result = await cluster.Grains.GetGrain<IExperimentGrain>("monitored").Run(spec);
        Assert.True(result.Migration.Succeeded > 512, $"only {result.Migration.Succeeded} pages migrated");

        // One migrate_pages call per source node, each on the coordinator that lives with its node.
        var snapshot = await WaitForAsync(monitor, s => s.Calls.Count == 3 && s.Calls.All(c => c.Finished));
        Assert.Equal(spec.Distances, snapshot.Machine!.Distances);
        Assert.Equal(2048, snapshot.Machine.FramesPerNode);
        Assert.Contains("monitored", snapshot.Machine.ConfiguredBy, StringComparison.Ordinal);
        Assert.Equal(result.Migration.VmStat.OrderBy(v => v.Key), snapshot.VmStat.OrderBy(v => v.Key));
        Assert.Equal([0, 1, 2], snapshot.Nodes.Select(n => n.Node));
        Assert.Equal(result.Migration.Succeeded, snapshot.Nodes.Sum(n => n.PagesIn));
        Assert.Equal(result.Migration.Succeeded, snapshot.Nodes.Sum(n => n.PagesOut));
        Assert.Equal(result.Migration.Succeeded, snapshot.Rate.Migrated.Sum());

        Assert.Equal([0L, 1L, 2L], snapshot.Calls.Select(c => c.Coordinator).Order());
        Assert.Equal(result.PagesToMigrate, snapshot.Calls.Sum(c => c.Requested));
        Assert.Equal((result.Migration.Succeeded, result.Migration.Failed), (snapshot.Calls.Sum(c => c.Succeeded), snapshot.Calls.Sum(c => c.Failed)));
        Assert.Equal(result.Migration.Passes, snapshot.Calls.Max(c => c.Passes));
        Assert.All(snapshot.Calls, call =>
        {
            Assert.Equal(("MIGRATE_SYNC", "numa_misplaced"), (call.Mode, call.Reason));
            Assert.StartsWith("S127.0.0.1:", call.Silo, StringComparison.Ordinal);
            Assert.True(call.ElapsedMs > 0);
        });
        // The experiment's step figures are over every call's batches.
        Assert.Equal(
            result.Migration.StepLatencies.Select(s => (s.Step, s.Name, s.Batches)),
            snapshot.Calls.SelectMany(c => c.Steps).GroupBy(s => (s.Step, s.Name)).OrderBy(g => g.Key.Step).Select(g => (g.Key.Step, g.Key.Name, g.Sum(s => s.Batches))));

        // Each node's pages in: what now lives there and was misplaced before.
        foreach (var node in snapshot.Nodes)
        {
            var status = await cluster.Grains.GetGrain<INumaNodeGrain>(node.Node).GetStatus();
            Assert.True(node.PagesIn <= status.Capacity - status.FreePages);
        }
    }

    [Fact]
    public async Task A_traced_migration_names_its_trace()
    {
        // 24 pages: a count no other test's migration has, so this listener's root span is ours.
        var roots = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MigrationTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == MigrationTelemetry.Spans.MigratePages && a.GetTagItem(MigrationTelemetry.Tags.PageCount) is 24)
                {
                    lock (roots)
                    {
                        roots.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 128);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(GrainCluster.Process(home: 0));
        var region = await space.MmapAnon(24, shared: false);
        for (var i = 0; i < 24; i++)
        {
            await space.Access(region.Start + i, write: true, (ulong)i);
        }
        var table = await space.GetPageTable();
        var result = await cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0)
            .MigratePages([.. table.Select(e => new MigrationRequest(e.Page, 1))], MigrateMode.Sync, MigrateReason.Syscall);
        Assert.Equal(24, result.Succeeded);

        var snapshot = await WaitForAsync(cluster.Grains.GetMachineMonitor(), s => s.Calls.Count > 0 && s.Calls[0].Finished);
        Activity root;
        lock (roots)
        {
            root = Assert.Single(roots);
        }
        var call = Assert.Single(snapshot.Calls);
        Assert.Equal(root.TraceId.ToHexString(), call.TraceId);
        // A syscall's migration is no NUMA balancing: numa_pages_migrated stays.
        Assert.Equal(24, snapshot.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.Equal(0, snapshot.VmStat[VmStat.NumaPagesMigratedName]);
        Assert.Null(snapshot.Machine);
    }

    /// <summary>The reports are one-way: the last may land just after the call returns.</summary>
    private static async Task<MachineMonitorSnapshot> WaitForAsync(IMachineMonitorGrain monitor, Func<MachineMonitorSnapshot, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var snapshot = await monitor.GetSnapshot();
            if (done(snapshot) || DateTime.UtcNow > deadline)
            {
                return snapshot;
            }
            await Task.Delay(50);
        }
    }
}
