using System.Diagnostics;
using System.Text.Json;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary>Real silo processes killed with SIGKILL: nothing announces the death, Orleans' probes must find it.</summary>
public sealed class ClusterFailureTests
{
    [Fact]
    public async Task The_first_silo_killed_is_declared_dead_within_30_s_and_a_run_on_the_survivors_is_sound()
    {
        await using var cluster = await LocalCluster.StartAsync(3, ClusterCliProcess.FastFailureDetection);
        var first = (await cluster.StatusAsync()).Single(s => s.SiloName == "silo-1");
        Process.GetProcessById(first.ProcessId).Kill();

        var clock = Stopwatch.StartNew();
        while ((await cluster.StatusAsync()).Single(s => s.Address == first.Address).Status != "Dead")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "silo-1 was not declared Dead within 30 s");
            await Task.Delay(500);
        }

        var json = Path.Combine(cluster.StateDir, "run.json");
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("run", "--cluster", cluster.StateDir, "--nodes", "4", "--address-spaces", "4", "--pages", "48", "--accesses", "100", "--json", json);
        Assert.True(exitCode == 0, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.True(document.RootElement.GetProperty("migrated").GetInt32() > 0);
    }

    [Fact]
    public async Task A_silo_killed_during_a_run_ends_it_with_one_line_and_exit_1_or_lets_it_finish_and_the_next_run_is_clean()
    {
        await using var cluster = await LocalCluster.StartAsync(3, ClusterCliProcess.FastFailureDetection);
        var victim = (await cluster.StatusAsync()).Single(s => s.SiloName == "silo-2");

        var longRun = ClusterCliProcess.RunAsync(null, TimeSpan.FromSeconds(90),
            "run", "--cluster", cluster.StateDir, "--nodes", "6", "--address-spaces", "6", "--pages", "400", "--tasks", "4", "--accesses", "3000");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Process.GetProcessById(victim.ProcessId).Kill();
        var (exitCode, _, stderr) = await longRun;

        Assert.True(exitCode is 0 or 1, $"exit {exitCode}: {stderr}");
        if (exitCode == 1)
        {
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
            Assert.DoesNotMatch(CliProcess.StackFrame, stderr);
        }

        var json = Path.Combine(cluster.StateDir, "next.json");
        var next = await ClusterCliProcess.RunAsync(null, TimeSpan.FromSeconds(90), "run", "--cluster", cluster.StateDir, "--nodes", "4", "--address-spaces", "4", "--pages", "48", "--accesses", "100", "--json", json);
        Assert.True(next.ExitCode == 0, next.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_silo_killed_during_an_experiment_on_the_cluster_ends_it_with_one_line_naming_the_silo_and_the_next_run_is_clean()
    {
        await using var cluster = await LocalCluster.StartAsync(3, ClusterCliProcess.FastFailureDetection);
        var victim = (await cluster.StatusAsync()).Single(s => s.SiloName == "silo-2");

        // One point of 96 nodes (several seconds of set-up here, a minute under load): killed once it runs.
        await using var sweep = Dashboard.BackgroundCli.Start(
            "experiment", "--cluster", cluster.StateDir, "--nodes", "96", "--pages-per-space", "512", "--tasks", "4", "--accesses", "3000", "--out", Path.Combine(cluster.StateDir, "sweep"));
        await sweep.WaitForLineAsync(line => line.StartsWith("[1/1] ", StringComparison.Ordinal) && line.EndsWith(": running", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Process.GetProcessById(victim.ProcessId).Kill();

        // Before the watch, a point whose silo died waited for its grain call's 10-minute timeout.
        var exitCode = await sweep.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(exitCode == 1, $"exit {exitCode}: {sweep.Stderr}");
        var line = Assert.Single(sweep.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("migration-cluster: point 1 (96 nodes, 3 silos, repeat 1) failed: silo silo-2 (", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);

        var json = Path.Combine(cluster.StateDir, "next.json");
        var next = await ClusterCliProcess.RunAsync(null, TimeSpan.FromSeconds(90), "run", "--cluster", cluster.StateDir, "--nodes", "4", "--address-spaces", "4", "--pages", "48", "--accesses", "100", "--json", json);
        Assert.True(next.ExitCode == 0, next.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
    }
}
