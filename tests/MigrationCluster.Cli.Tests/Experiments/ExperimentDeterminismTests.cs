namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentDeterminismTests(ExperimentSweepFixture sweep) : IClassFixture<ExperimentSweepFixture>
{
    /// <summary>
    /// Every column but the host's (wall-clock times, the simulator's pages/s, its per-step
    /// latencies, grain calls, memory): the simulated machine's figures, the accesses made while
    /// the migration ran, their sleeps and latency included, depend only on the options and the seed.
    /// </summary>
    private static readonly string[] Deterministic = [.. MigrationCluster.Experiments.ExperimentColumns.Deterministic.Select(c => c.Name)];

    [Fact]
    public async Task The_same_seed_gives_the_same_rows_but_for_the_host_columns_whatever_ran_before()
    {
        Assert.True(sweep.Result.ExitCode == 0, sweep.Result.Stderr);
        using var directory = new TempDirectory();
        // Another process, another set of points before each (8 nodes follows 2 here, 4 there),
        // and a second repeat, whose seed is one more.
        var again = await CliProcess.RunAsync("experiment", "--nodes", "2,8", "--silos", "2", "--pinned", "1", "--seed", "7", "--repeat", "2", "--out", directory.Path);
        Assert.True(again.ExitCode == 0, again.Stderr);

        Assert.Contains("sim_migration_ns", Deterministic);
        Assert.Contains("during_sleep_ns", Deterministic);
        Assert.Contains("copy_page_sim_p99_ns", Deterministic);
        var first = ResultsCsv.Read(Path.Combine(sweep.Output, "results.csv")).Rows;
        var second = ResultsCsv.Read(Path.Combine(directory.Path, "results.csv")).Rows;
        Assert.Equal(4, second.Count);
        foreach (var row in second.Where(r => r["repeat"] == "1"))
        {
            var match = Assert.Single(first, r => r["nodes"] == row["nodes"] && r["silos"] == row["silos"]);
            Assert.All(Deterministic, column => Assert.True(match[column] == row[column], $"{column} at {row["nodes"]} nodes: {match[column]} then {row[column]}"));
        }

        // The seed does drive the workload: repeat 2 (seed 8) makes other accesses than repeat 1.
        foreach (var nodes in new[] { "2", "8" })
        {
            var repeat1 = second.Single(r => r["nodes"] == nodes && r["repeat"] == "1");
            var repeat2 = second.Single(r => r["nodes"] == nodes && r["repeat"] == "2");
            Assert.Equal("8", repeat2["seed"]);
            Assert.NotEqual(repeat1["latency_before_ns"], repeat2["latency_before_ns"]);
            Assert.Equal(repeat1["migrated"], repeat2["migrated"]); // the same pages are misplaced either way
        }
    }
}
