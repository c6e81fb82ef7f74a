using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Tests;

public sealed class ExperimentTests
{
    private static ExperimentSpec Spec(MigrateMode mode) => new(
        Distances: [[10, 21], [21, 10]],
        FramesPerNode: 1024,
        AddressSpaces: 3,
        PagesPerSpace: 96,
        FileFraction: 0.25,
        Workload: WorkloadPattern.Random,
        TasksPerSpace: 3,
        AccessesPerTask: 200,
        WriteFraction: 0.3,
        Mode: mode,
        Seed: 7);

    [Theory]
    [InlineData(MigrateMode.Sync)]
    [InlineData(MigrateMode.Async)]
    public async Task Misplaced_memory_moves_home_without_breaking_an_invariant(MigrateMode mode)
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0);
        var result = await cluster.Grains.GetGrain<IExperimentGrain>("t").Run(Spec(mode));

        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
        Assert.True(result.Invariants.PresentPtesChecked > 0);
        // The memory model's own checker, over a snapshot of every grain, agrees.
        Assert.Null(result.Invariants.CheckerViolation);
        Assert.True(result.PagesToMigrate > 0);
        Assert.Equal(result.PagesToMigrate, result.Migration.Succeeded + result.Migration.Failed);
        Assert.True(result.Migration.Succeeded > result.PagesToMigrate / 2);
        Assert.Equal(0, result.During.Errors);
        // Before, most accesses are remote (a neighbour's file may happen to be local); after, most are local, and cheaper.
        Assert.True(result.Before.RemoteAccesses > result.Before.LocalAccesses);
        Assert.True(result.After.LocalAccesses > result.After.RemoteAccesses);
        Assert.True(result.After.MeanLatencyNs < result.Before.MeanLatencyNs);
    }

    [Fact]
    public async Task A_spec_that_does_not_fit_the_machine_is_refused_with_a_reason()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0);
        var spec = Spec(MigrateMode.Sync) with { FramesPerNode = 16 };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Grains.GetGrain<IExperimentGrain>("t").Run(spec));
        Assert.Contains("frames", error.Message);
    }

    [Fact]
    public async Task In_simulated_time_the_tasks_run_for_the_migrations_simulated_duration_and_two_runs_agree()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0);
        var experiment = cluster.Grains.GetGrain<IExperimentGrain>("t");
        var spec = Spec(MigrateMode.Sync);
        var first = await experiment.Run(spec);
        var again = await experiment.Run(spec);

        Assert.Equal(TaskSchedule.Simulated, first.Schedule);
        Assert.True(first.Invariants.Total == 0, first.Invariants.ToString());
        Assert.True(first.Migration.SimulatedNs > 0);
        // Each of the two source nodes' calls starts at 0 and adds its steps up: the migration
        // lasts as long as the longer one, at least half of all steps' time and at most all of it.
        var steps = first.Migration.StepSimulatedTimes.Sum(s => s.TotalNs);
        Assert.InRange(first.Migration.SimulatedNs, steps / 2, steps);
        // Each task thinks 1 us on average between accesses: over the migration's duration,
        // 9 tasks make about 9 x duration / 1 us accesses (sleeps on page locks take some of it).
        var expected = 9.0 * first.Migration.SimulatedNs / WorkloadSpec.DefaultThinkNs;
        Assert.InRange(first.During.Accesses, 1, (long)(expected * 1.2) + 9);
        Assert.True(first.During.Waits > 0, "no task met a migration entry");
        Assert.True(first.During.SleepNs > 0);
        Assert.Equal(0, first.During.StaleReads);
        // The same spec gives the same simulated results (the cluster is reused: nothing carries over).
        Assert.Equal(first.During, again.During);
        Assert.Equal(first.Migration.SimulatedNs, again.Migration.SimulatedNs);
        Assert.Equal(first.Migration.TlbShootdowns, again.Migration.TlbShootdowns);
        Assert.Equal(first.Before, again.Before);
        Assert.Equal(first.After, again.After);
        Assert.Equal(
            first.Migration.StepSimulatedTimes.Select(s => $"{s.Step}:{string.Join(",", s.BatchNs)}"),
            again.Migration.StepSimulatedTimes.Select(s => $"{s.Step}:{string.Join(",", s.BatchNs)}"));
    }

    [Fact]
    public async Task The_free_schedule_still_runs_the_tasks_until_the_migration_ends()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 0, framesPerNode: 0);
        var result = await cluster.Grains.GetGrain<IExperimentGrain>("t").Run(Spec(MigrateMode.Sync) with { Schedule = TaskSchedule.Free });
        Assert.Equal(TaskSchedule.Free, result.Schedule);
        Assert.True(result.Invariants.Total == 0, result.Invariants.ToString());
        Assert.True(result.During.Accesses > 0);
        Assert.Equal(0, result.During.SleepNs);
        Assert.True(result.Migration.SimulatedNs > 0);
    }
}
