using System.Net;
using System.Net.Sockets;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>The command's bad input (exit 2) and unreachable cluster (exit 1): one line on stderr, no stack trace.</summary>
public sealed class DashboardCommandTests
{
    [Theory]
    [InlineData("dashboard", "--port", "0")]
    [InlineData("dashboard", "--port", "65536")]
    [InlineData("dashboard", "--port", "http")]
    [InlineData("dashboard", "--listen", "everywhere")]
    [InlineData("dashboard", "--jaeger", "jaeger:16686")]
    [InlineData("run", "--dashboard", "-1")]
    [InlineData("run", "--jaeger", "http://127.0.0.1:16686")]
    public async Task Bad_input_exits_2_with_one_line(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        AssertOneLine(result, 2);
        Assert.Contains(args[^2], result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dashboard", "--port")]
    [InlineData("run", "--dashboard")]
    public async Task A_port_in_use_exits_2_before_anything_starts(string command, string option)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var directory = new TempDirectory();

        var result = await CliProcess.RunAsync(command == "dashboard" ? [command, option, port, "--cluster", directory.Path] : [command, option, port]);

        AssertOneLine(result, 2);
        Assert.Contains($"{option} {port}: 127.0.0.1:{port} is already in use", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task A_directory_without_a_cluster_is_bad_input()
    {
        using var directory = new TempDirectory();

        var missing = await CliProcess.RunAsync("dashboard", "--cluster", directory.File("nothing-here"), "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertOneLine(missing, 2);
        Assert.Contains("no such directory", missing.Stderr, StringComparison.Ordinal);

        var empty = await CliProcess.RunAsync("dashboard", "--cluster", directory.Path, "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertOneLine(empty, 2);
        Assert.Contains("no cluster in", empty.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_with_no_silo_running_exits_1_at_once()
    {
        // What a stopped cluster leaves: its certificate and a membership table with no live silo.
        using var directory = new TempDirectory();
        var certificate = await CliProcess.RunAsync("cluster", "certificate", "--out", directory.File("cluster.pfx"));
        Assert.True(certificate.ExitCode == 0, certificate.Stderr);
        File.WriteAllBytes(directory.File("membership.db"), []);

        var started = DateTime.UtcNow;
        var result = await CliProcess.RunAsync("dashboard", "--cluster", directory.Path, "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));

        AssertOneLine(result, 1);
        Assert.Contains("no silo of it is running", result.Stderr, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "said at once, not after the connect timeout");
    }

    private static void AssertOneLine(CliResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}, stderr: {result.Stderr}");
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
    }
}
