using System.Text.Json;
using MigrationCluster.Cli.Commands;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Cli.Tests.Cluster;

public sealed class ClusterCommandTests : IAsyncLifetime
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "mc-cli-cluster-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever happened, no silo process outlives the test.
        await ClusterCliProcess.RunAsync("cluster", "stop", "--state-dir", _stateDir);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private async Task<List<ClusterSiloInfo>> StatusAsync()
    {
        var (exitCode, stdout, stderr) = await ClusterCliProcess.RunAsync("cluster", "status", "--state-dir", _stateDir, "--json");
        Assert.True(exitCode == 0, stderr);
        return JsonSerializer.Deserialize<List<ClusterSiloInfo>>(stdout, ClusterSiloInfo.JsonOptions)!;
    }

    [Fact]
    public async Task Start_status_call_and_stop_a_two_silo_cluster_of_processes()
    {
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("cluster", "start", "--silos", "2", "--state-dir", _stateDir);
        Assert.True(exitCode == 0, stderr);
        var silos = await StatusAsync();
        Assert.Equal(2, silos.Count);
        Assert.All(silos, s => Assert.Equal("Active", s.Status));
        Assert.All(silos, s => Assert.True(s.ProcessRunning));
        Assert.Equal(2, silos.Select(s => s.ProcessId).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(_stateDir, "membership.db")));

        // A client in this process reaches NUMA node grains on both silo processes (node k on the k mod 2-th silo).
        await using (var client = await LocalClusterClient.ConnectAsync(_stateDir))
        {
            var placed = new List<string>();
            for (var node = 0; node < 2; node++)
            {
                var grain = client.GrainFactory.GetGrain<INumaNodeGrain>(node);
                await grain.Configure(new NodeConfiguration(Frames: 8));
                var status = await grain.GetStatus();
                Assert.Equal(8, status.FreePages);
                placed.Add(status.Silo);
            }
            Assert.Equal(silos.Select(s => s.Address).Order(), placed.Order());
        }
        // Each silo publishes its activation count (Orleans' management grain's figure).
        for (var i = 0; i < 100 && (await StatusAsync()).Any(s => s.Activations is null or < 1); i++)
        {
            await Task.Delay(200);
        }
        Assert.All(await StatusAsync(), s => Assert.True(s.Activations >= 1, $"{s.SiloName}: {s.Activations} activations"));

        var again = await ClusterCliProcess.RunAsync("cluster", "start", "--silos", "1", "--state-dir", _stateDir);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already running", again.Stderr);

        var stop = await ClusterCliProcess.RunAsync("cluster", "stop", "--state-dir", _stateDir);
        Assert.True(stop.ExitCode == 0, stop.Stderr);
        Assert.Contains("Stopped 2", stop.Stdout);
        var after = await StatusAsync();
        Assert.All(after, s => Assert.Equal("Dead", s.Status));
        Assert.All(after, s => Assert.False(s.ProcessRunning));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("x")]
    public async Task Bad_silo_count_is_refused_with_exit_code_2(string count)
    {
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("cluster", "start", "--silos", count, "--state-dir", _stateDir);
        Assert.Equal(2, exitCode);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(Directory.Exists(_stateDir));
    }

    [Fact]
    public async Task Status_of_a_directory_without_a_cluster_fails_with_one_line()
    {
        // No cluster there is the user's input, as for run --cluster: exit 2.
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("cluster", "status", "--state-dir", _stateDir);
        Assert.Equal(2, exitCode);
        Assert.Contains("no cluster", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_as_a_client_of_a_two_process_cluster_migrates_across_the_silos_and_keeps_the_invariants()
    {
        var (started, _, startError) = await ClusterCliProcess.RunAsync("cluster", "start", "--silos", "2", "--state-dir", _stateDir);
        Assert.True(started == 0, startError);
        var json = Path.Combine(_stateDir, "run.json");
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("run", "--cluster", _stateDir, "--nodes", "2", "--address-spaces", "2", "--pages", "48", "--accesses", "100", "--json", json);
        Assert.True(exitCode == 0, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.True(document.RootElement.GetProperty("migrated").GetInt32() > 0);

        // The NUMA node grains were spread over both silo processes (silos publish their counts periodically).
        List<ClusterSiloInfo> silos = [];
        for (var i = 0; i < 100; i++)
        {
            var (_, status, _) = await ClusterCliProcess.RunAsync("cluster", "status", "--state-dir", _stateDir, "--json");
            silos = JsonSerializer.Deserialize<List<ClusterSiloInfo>>(status, ClusterSiloInfo.JsonOptions)!;
            if (silos.All(s => s.Activations > 0))
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.Equal(2, silos.Count);
        Assert.All(silos, s => Assert.True(s.Activations > 0, $"{s.SiloName} has no activations"));
    }
}
