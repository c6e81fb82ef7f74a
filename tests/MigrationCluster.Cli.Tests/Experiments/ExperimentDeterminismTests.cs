namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentDeterminismTests(ExperimentSweepFixture sweep) : IClassFixture<ExperimentSweepFixture>
{
    /// <summary>
    /// The columns that depend only on the options and the seed. Everything else (wall-clock
    /// times, pages/s, step latencies, the accesses made while the migration ran and their
    /// latency, grain calls, memory) depends on timing.
    /// </summary>
    private static readonly string[] Deterministic =
    [
        "nodes", "silos", "repeat", "seed", "topology", "address_spaces", "pages", "pages_to_migrate", "migrated", "failed", "retried",
        "passes", "latency_before_ns", "latency_after_ns", "local_fraction_before", "local_fraction_after", "invariant_violations",
    ];

    [Fact]
    public async Task The_same_seed_gives_the_same_rows_but_for_the_timing_columns_whatever_ran_before()
    {
        Assert.True(sweep.Result.ExitCode == 0, sweep.Result.Stderr);
        using var directory = new TempDirectory();
        // Another process, another set of points before each (8 nodes follows 2 here, 4 there),
        // and a second repeat, whose seed is one more.
        var again = await CliProcess.RunAsync("experiment", "--nodes", "2,8", "--silos", "2", "--pinned", "1", "--seed", "7", "--repeat", "2", "--out", directory.Path);
        Assert.True(again.ExitCode == 0, again.Stderr);

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
