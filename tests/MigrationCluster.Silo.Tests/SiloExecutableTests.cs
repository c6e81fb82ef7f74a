using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MigrationCluster.Clustering.Tests;

namespace MigrationCluster.Silo.Tests;

/// <summary>The built <c>migration-cluster-silo</c>, run as a process as a user or a container would.</summary>
public sealed class SiloExecutableTests : IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "mc-silo-exe-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_stateDir))
        {
            Directory.Delete(_stateDir, recursive: true);
        }
    }

    private static ProcessStartInfo Silo(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "migration-cluster-silo.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    [Fact]
    public async Task A_bad_setting_is_one_line_on_stderr_and_exit_code_2()
    {
        using var process = Process.Start(Silo("--state-dir", _stateDir, "--Silo:MembershipProvider", "mysql"))!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Silo:MembershipProvider", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_silo_joins_on_its_sqlite_membership_publishes_its_status_and_leaves_on_sigterm()
    {
        var ports = FreePorts(2);
        using var process = Process.Start(Silo("--state-dir", _stateDir, "--name", "solo", "--port", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture), "--gateway-port", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var statusFile = Path.Combine(_stateDir, "silos", "solo.status.json");
            await WaitUntilActiveAsync(process, "solo", stderr);
            Assert.Equal(process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_stateDir, "silos", "solo.pid")));
            Assert.True(File.Exists(Path.Combine(_stateDir, "membership.db")));

            Assert.Equal(0, Kill(process.Id, SigTerm));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stdout} {await stderr}");
            Assert.Equal("Dead", ReadStatus(statusFile));
            Assert.False(File.Exists(Path.Combine(_stateDir, "silos", "solo.pid")));
            Assert.Contains("is Active", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task A_silo_given_only_orleans_provider_type_sqlite_and_the_state_dir_joins_the_cluster_of_that_directory()
    {
        var ports = FreePorts(4).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        // The first silo with the silo's own settings (sqlite in the state directory is its default).
        using var first = Process.Start(Silo("--state-dir", _stateDir, "--name", "first", "--port", ports[0], "--gateway-port", ports[1]))!;
        // The second with Orleans' keys in its environment: the provider, its endpoints and name; the state directory gives the file.
        var start = Silo();
        start.Environment["Orleans__Clustering__ProviderType"] = "Sqlite";
        start.Environment["MIGRATIONCLUSTER_Silo__StateDir"] = _stateDir;
        start.Environment["Orleans__Name"] = "second";
        start.Environment["Orleans__Endpoints__SiloPort"] = ports[2];
        start.Environment["Orleans__Endpoints__GatewayPort"] = ports[3];
        using var second = Process.Start(start)!;
        var outputs = new[] { first, second }.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToArray();
        try
        {
            await WaitUntilActiveAsync(first, "first", outputs[0].Err);
            await WaitUntilActiveAsync(second, "second", outputs[1].Err);

            // One table, one cluster: both silos Active in the state directory's membership file.
            var table = new Clustering.Sqlite.SqliteMembershipTable(
                Microsoft.Extensions.Options.Options.Create(new Clustering.Sqlite.SqliteClusteringOptions { FilePath = Path.Combine(_stateDir, "membership.db") }),
                Microsoft.Extensions.Options.Options.Create(new Orleans.Configuration.ClusterOptions { ClusterId = "local" }));
            await table.InitializeMembershipTableAsync(false);
            var members = (await table.ReadAllAsync()).Members.Select(m => m.Item1).ToList();
            Assert.Equal(new[] { ports[0], ports[2] }.Order(), members.Where(m => m.Status == Orleans.Runtime.SiloStatus.Active)
                .Select(m => m.SiloAddress.Endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order());

            foreach (var (process, index) in new[] { second, first }.Select((p, i) => (p, 1 - i)))
            {
                Assert.Equal(0, Kill(process.Id, SigTerm));
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
                Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await outputs[index].Out} {await outputs[index].Err}");
            }
            Assert.Equal("Dead", ReadStatus(Path.Combine(_stateDir, "silos", "second.status.json")));
        }
        finally
        {
            foreach (var process in new[] { first, second }.Where(p => !p.HasExited))
            {
                process.Kill();
            }
        }
    }

    private async Task WaitUntilActiveAsync(Process process, string name, Task<string> stderr)
    {
        var statusFile = Path.Combine(_stateDir, "silos", name + ".status.json");
        // The silo gives up by itself after Silo:StartTimeout (60 s); this bound only guards a hung process.
        for (var i = 0; i < 1200 && !process.HasExited; i++)
        {
            if (File.Exists(statusFile) && ReadStatus(statusFile) == "Active")
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"silo {name} did not become Active: {await Finish(process, stderr)}");
    }

    [Fact]
    public async Task On_a_fresh_postgres_database_the_silo_applies_the_schema_joins_and_leaves_on_sigterm()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync(apply: false);

        await RunUntilActiveThenStopAsync("--Silo:MembershipProvider", "postgres", "--Silo:MembershipConnection", schema.ConnectionString);

        // The silo's row, from the schema it applied: Dead after a graceful stop.
        Assert.Equal(6, await schema.ScalarAsync<int>("SELECT status FROM orleans_membership"));
    }

    [Fact]
    public async Task On_redis_the_silo_joins_and_leaves_on_sigterm()
    {
        await RedisTestServer.EnsureReachableAsync();

        await RunUntilActiveThenStopAsync(
            "--Silo:MembershipProvider", "redis", "--Silo:MembershipConnection", RedisTestServer.Configuration,
            "--cluster-id", "silo-exe-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Starts the silo with a state directory (for its status file) and these settings, waits for Active, then SIGTERM.</summary>
    private async Task RunUntilActiveThenStopAsync(params string[] settings)
    {
        var ports = FreePorts(2);
        using var process = Process.Start(Silo([
            "--state-dir", _stateDir, "--name", "solo",
            "--port", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. settings]))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var statusFile = Path.Combine(_stateDir, "silos", "solo.status.json");
            await WaitUntilActiveAsync(process, "solo", stderr);
            Assert.False(File.Exists(Path.Combine(_stateDir, "membership.db")), "a server provider must not create the SQLite file");

            Assert.Equal(0, Kill(process.Id, SigTerm));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stdout} {await stderr}");
            Assert.Equal("Dead", ReadStatus(statusFile));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static string? ReadStatus(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.GetProperty("Status").GetString();
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            return null;
        }
    }

    private static async Task<string> Finish(Process process, Task<string> stderr)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
        await process.WaitForExitAsync();
        return await stderr;
    }

    private static int[] FreePorts(int count) => MigrationCluster.Hosting.LoopbackPorts.Free(count);
}
