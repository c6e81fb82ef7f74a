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
    public async Task The_same_seed_gives_the_same_rows_but_for_the_host_columns_whatever_ran_before_and_on_any_number_of_silos()
    {
        Assert.True(sweep.Result.ExitCode == 0, sweep.Result.Stderr);
        using var directory = new TempDirectory();
        // Another process, another set of points before each (8 nodes follows 2 here, 4 there),
        // and a second repeat, whose seed is one more; on two silos and on three.
        var again = await CliProcess.RunAsync("experiment", "--nodes", "2,8", "--silos", "2,3", "--pinned", "1", "--seed", "7", "--repeat", "2", "--out", directory.Path);
        Assert.True(again.ExitCode == 0, again.Stderr);

        Assert.Contains("sim_migration_ns", Deterministic);
        Assert.Contains("during_sleep_ns", Deterministic);
        Assert.Contains("copy_page_sim_p99_ns", Deterministic);
        var first = ResultsCsv.Read(Path.Combine(sweep.Output, "results.csv")).Rows;
        var second = ResultsCsv.Read(Path.Combine(directory.Path, "results.csv")).Rows;
        Assert.Equal(8, second.Count);
        foreach (var row in second.Where(r => r["repeat"] == "1"))
        {
            // The first sweep ran each node count on one silo and on two: every one of them matches.
            var matches = first.Where(r => r["nodes"] == row["nodes"]).ToList();
            Assert.Equal(["1", "2"], matches.Select(r => r["silos"]).Order());
            foreach (var match in matches)
            {
                Assert.All(Deterministic.Where(c => c != "silos"), column => Assert.True(match[column] == row[column], $"{column} at {row["nodes"]} nodes: {match[column]} on {match["silos"]} silos, {row[column]} on {row["silos"]}"));
            }
        }

        // The seed does drive the workload: repeat 2 (seed 8) makes other accesses than repeat 1.
        foreach (var nodes in new[] { "2", "8" })
        {
            var repeat1 = second.Single(r => r["nodes"] == nodes && r["repeat"] == "1" && r["silos"] == "3");
            var repeat2 = second.Single(r => r["nodes"] == nodes && r["repeat"] == "2" && r["silos"] == "3");
            Assert.Equal("8", repeat2["seed"]);
            Assert.NotEqual(repeat1["latency_before_ns"], repeat2["latency_before_ns"]);
            Assert.Equal(repeat1["migrated"], repeat2["migrated"]); // the same pages are misplaced either way
        }
    }
}
