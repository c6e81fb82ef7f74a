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
            var active = false;
            for (var i = 0; i < 300 && !active && !process.HasExited; i++)
            {
                await Task.Delay(100);
                active = File.Exists(statusFile) && ReadStatus(statusFile) == "Active";
            }
            if (!active)
            {
                Assert.Fail($"the silo did not become Active: {await Finish(process, stderr)}");
            }
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
            var active = false;
            for (var i = 0; i < 300 && !active && !process.HasExited; i++)
            {
                await Task.Delay(100);
                active = File.Exists(statusFile) && ReadStatus(statusFile) == "Active";
            }
            if (!active)
            {
                Assert.Fail($"the silo did not become Active: {await Finish(process, stderr)}");
            }
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
