using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Memory.Migration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace MigrationCluster.Grains.Tests;

/// <summary>
/// Runs the cluster must give up by itself. A silo that dies in the middle of a run in simulated
/// time: its coordinator never comes back to the run's clock, and the coordinators on the other
/// silos used to wait there for their calls' 5-minute timeout, holding their grains (one per
/// node, shared by every run) so that the next run waited behind them too. A client that is cut
/// off or killed cannot say it gave up: its run held the cluster to its end.
/// </summary>
public sealed class AbandonedRunTests
{
    /// <summary>Far longer than the cluster takes to declare a killed silo dead (about 3 s here), far shorter than the coordinators' 5-minute timeout.</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromMinutes(2);

    private const int Nodes = 6;

    /// <summary>
    /// Six nodes on a ring, a process per node that moves to the opposite node (three hops away):
    /// node k's pages go to node k + 3, which lives on the same silo as node k (k mod 3), so the
    /// coordinators on the other silos never call the lost silo's nodes themselves; they share
    /// address spaces (a process maps its neighbour's file) and so wait for one another's steps
    /// at the run's clock.
    /// </summary>
    private static ExperimentSpec Spec(double pace) => new(
        Distances: [.. Enumerable.Range(0, Nodes).Select(i => Enumerable.Range(0, Nodes).Select(j => i == j ? 10 : 12 + 4 * Math.Min(Math.Abs(i - j), Nodes - Math.Abs(i - j))).ToArray())],
        FramesPerNode: 1024,
        AddressSpaces: Nodes,
        PagesPerSpace: 64,
        FileFraction: 0.25,
        Workload: WorkloadPattern.Random,
        TasksPerSpace: 2,
        AccessesPerTask: 50,
        WriteFraction: 0.3,
        Mode: MigrateMode.Sync,
        Seed: 7,
        PacePagesPerSecond: pace);

    [Fact]
    public async Task A_silo_killed_during_a_run_in_simulated_time_ends_the_run_and_the_next_run_on_the_survivors_is_clean()
    {
        await using var grains = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0, silos: 3);
        var monitor = grains.Grains.GetMachineMonitor();

        // 384 pages at 24 pages/s: the migration is held for about 16 s of wall time.
        var experiment = grains.Grains.GetGrain<IExperimentGrain>("run");
        var run = experiment.Run(Spec(pace: 24));
        while ((await monitor.GetSetUp())?.Phase != "finding misplaced pages")
        {
            Assert.False(run.IsCompleted, $"the paced run ended before its migration began: {run.Status}");
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));

        // A silo that runs a node's coordinator, other than the primary (which holds the test
        // cluster's membership) and the experiment's (a client's call to a grain on a lost silo
        // waits for its own timeout: the command's cluster watch ends that wait, not the grains).
        var experimentSilo = await grains.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(experiment);
        var silos = grains.Cluster.Silos[0].ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
        var victim = Enumerable.Range(0, Nodes)
            .Select(n => NumaNodePlacementDirector.SiloFor(n, silos))
            .Select(address => grains.Cluster.Silos.Single(s => s.SiloAddress.Equals(address)))
            .First(s => s != grains.Cluster.Silos[0] && !s.SiloAddress.Equals(experimentSilo));
        await grains.Cluster.KillSiloAsync(victim);

        Assert.Same(run, await Task.WhenAny(run, Task.Delay(HangBound)));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => run);
        Assert.True(error is SiloUnavailableException || error.Message.Contains("left the cluster during the run", StringComparison.Ordinal), error.ToString());

        // The same grains (node, coordinator and experiment keys) serve the next run, on the two survivors.
        var next = grains.Grains.GetGrain<IExperimentGrain>("run").Run(Spec(pace: 0));
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(HangBound)));
        var result = await next;
        Assert.Equal(result.PagesToMigrate, result.Migration.Succeeded);
        Assert.True(result.PagesToMigrate > 0);
        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
    }

    [Fact]
    public async Task When_the_experiments_own_silo_is_killed_its_coordinators_stragglers_are_refused_by_the_next_run_s_grains()
    {
        await using var grains = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0, silos: 3);
        var management = grains.Grains.GetGrain<IManagementGrain>(0);
        var primary = grains.Cluster.Silos[0].SiloAddress;

        // An experiment grain that lives on a silo the test may kill (not the primary).
        IExperimentGrain experiment;
        SiloAddress? home;
        var key = 0;
        do
        {
            experiment = grains.Grains.GetGrain<IExperimentGrain>($"run-{key++}");
            await experiment.Renew();
            home = await management.GetActivationAddress(experiment);
        }
        while (home is null || home.Equals(primary));

        // 384 pages at 24 pages/s over six calls: each coordinator sleeps about 16 s before its batch.
        var abandoned = experiment.Run(Spec(pace: 24));
        while ((await grains.Grains.GetMachineMonitor().GetSetUp())?.Phase != "finding misplaced pages")
        {
            Assert.False(abandoned.IsCompleted, $"the paced run ended before its migration began: {abandoned.Status}");
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        await grains.Cluster.KillSiloAsync(grains.Cluster.Silos.Single(s => s.SiloAddress.Equals(home)));
        await grains.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        // The same key comes back on a survivor; the coordinators on the survivors still sleep in
        // the abandoned run, and wake into the nodes this run has configured afresh.
        var next = experiment.Run(Spec(pace: 0));
        Assert.Same(next, await Task.WhenAny(next, Task.Delay(HangBound)));
        var result = await next;
        Assert.True(result.PagesToMigrate > 0);
        Assert.Equal(result.PagesToMigrate, result.Migration.Succeeded);
        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
    }

    [Theory]
    [InlineData(TaskSchedule.Simulated)]
    [InlineData(TaskSchedule.Free)]
    public async Task A_run_whose_client_stops_renewing_its_lease_is_abandoned_and_the_next_run_is_clean(TaskSchedule schedule)
    {
        await using var grains = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0, silos: 1);

        // Held to 8 pages/s, the migration would last 48 s; its client never renews a 2 s lease.
        var run = grains.Grains.GetGrain<IExperimentGrain>("run").Run(Spec(pace: 8) with { ClientLease = TimeSpan.FromSeconds(2), Schedule = schedule });
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(HangBound)));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.StartsWith("the run was abandoned: its client was not heard from for ", error.Message, StringComparison.Ordinal);
        Assert.False(await grains.Grains.GetGrain<IExperimentGrain>("run").Renew(), "the grain still says a run is going on");

        var result = await grains.Grains.GetGrain<IExperimentGrain>("run").Run(Spec(pace: 0) with { Schedule = schedule });
        Assert.True(result.PagesToMigrate > 0);
        Assert.Equal(result.PagesToMigrate, result.Migration.Succeeded);
        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
    }

    [Fact]
    public async Task A_run_whose_client_renews_its_lease_runs_to_its_end()
    {
        await using var grains = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0, silos: 1);
        var experiment = grains.Grains.GetGrain<IExperimentGrain>("run");

        // About 10 s at 38 pages/s: twice the 5 s lease, renewed four times a second.
        var run = experiment.Run(Spec(pace: 38) with { ClientLease = TimeSpan.FromSeconds(5) });
        var renewals = 0;
        while (!run.IsCompleted)
        {
            renewals += await experiment.Renew() ? 1 : 0;
            await Task.WhenAny(run, Task.Delay(250));
        }
        var result = await run;
        Assert.True(renewals > 0);
        Assert.Equal(result.PagesToMigrate, result.Migration.Succeeded);
        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
    }
}
