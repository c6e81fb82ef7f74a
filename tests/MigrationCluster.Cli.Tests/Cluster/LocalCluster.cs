using System.Text.Json;
using MigrationCluster.Cli.Commands;
using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary>A cluster of silo processes started with <c>cluster start</c> for one test, stopped (or killed) at its end.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private LocalCluster(string stateDir) => StateDir = stateDir;

    public string StateDir { get; }

    public static async Task<LocalCluster> StartAsync(int silos, IReadOnlyDictionary<string, string>? environment = null)
    {
        var cluster = new LocalCluster(Path.Combine(Path.GetTempPath(), "mc-cluster-" + Guid.NewGuid().ToString("N")));
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync(environment, TimeSpan.FromMinutes(2), "cluster", "start", "--silos", silos.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state-dir", cluster.StateDir);
        if (exitCode != 0)
        {
            await cluster.DisposeAsync();
            Assert.Fail($"cluster start failed ({exitCode}): {stderr}");
        }
        return cluster;
    }

    public async Task<List<ClusterSiloInfo>> StatusAsync()
    {
        var (exitCode, stdout, stderr) = await ClusterCliProcess.RunAsync("cluster", "status", "--state-dir", StateDir, "--json");
        Assert.True(exitCode == 0, stderr);
        return JsonSerializer.Deserialize<List<ClusterSiloInfo>>(stdout, ClusterSiloInfo.JsonOptions)!;
    }

    /// <summary>The silo's port (from <c>S127.0.0.1:PORT:GENERATION</c>).</summary>
    public static int PortOf(ClusterSiloInfo silo) => int.Parse(silo.Address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        // Whatever happened, no silo process outlives the test.
        await ClusterCliProcess.RunAsync("cluster", "stop", "--state-dir", StateDir);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(StateDir))
        {
            Directory.Delete(StateDir, recursive: true);
        }
    }
}
