using System.Diagnostics;
using System.Globalization;
using MigrationCluster.Cli.Tests.Dashboard;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Experiments;

/// <summary>Ctrl+C during a sweep that serves a dashboard: once stops after the point, twice ends the process at once.</summary>
public sealed class ExperimentDashboardInterruptTests
{
    [Fact]
    public async Task Ctrl_C_mid_sweep_stops_after_the_point_and_closes_the_dashboard_with_it()
    {
        var (exitCode, stdout, stderr) = await InterruptAsync(signals: 1);

        Assert.True(exitCode == 130, $"exit {exitCode}: {stderr}");
        Assert.Contains("stopped by Ctrl+C after 2 of 3 points", stderr, StringComparison.Ordinal);
        Assert.Contains(stdout, l => l.StartsWith("results: ", StringComparison.Ordinal));
        // Not left open: the user asked to stop.
        Assert.DoesNotContain(stdout, l => l.Contains("stays open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_Ctrl_C_ends_the_process_at_once()
    {
        var (exitCode, stdout, _) = await InterruptAsync(signals: 2);

        // Ended by the signal itself, before the point in progress finished and the sweep summed up.
        Assert.Equal(130, exitCode);
        Assert.DoesNotContain(stdout, l => l.StartsWith("results: ", StringComparison.Ordinal));
        Assert.DoesNotContain(stdout, l => l.StartsWith("[2/3]", StringComparison.Ordinal) && l.Contains("invariant violations", StringComparison.Ordinal));
    }

    /// <summary>A sweep of three points whose second (1,024 nodes) takes seconds; Ctrl+C once it has started.</summary>
    private static async Task<(int ExitCode, List<string> Stdout, string Stderr)> InterruptAsync(int signals)
    {
        using var directory = new TempDirectory();
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.CommandPath, "experiment", "--nodes", "16,1024,32", "--dashboard", port, "--out", directory.File("out") })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            stdout.Add(line);
            if (line.StartsWith("[2/3]", StringComparison.Ordinal) && line.EndsWith("running", StringComparison.Ordinal))
            {
                for (var i = 0; i < signals; i++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(300), timeout.Token);
                    using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!;
                    await kill.WaitForExitAsync(timeout.Token);
                }
                break;
            }
        }
        stdout.AddRange((await process.StandardOutput.ReadToEndAsync(timeout.Token)).Split('\n'));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, stdout, await stderr);
    }
}
