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
}
