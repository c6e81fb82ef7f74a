using System.Diagnostics;
using System.Globalization;
using MigrationCluster.Cli.Tests.Experiments;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>SIGTERM is handled like Ctrl+C: one line, the documented exit code, partial results still written.</summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData("TERM", 143, "SIGTERM")]
    [InlineData("INT,INT", 130, "Ctrl+C")]
    public async Task An_experiment_abandoned_by_a_signal_still_writes_the_points_done(string signals, int exitCode, string named)
    {
        using var directory = new TempDirectory();
        var output = directory.File("out");
        using var process = Start("experiment", "--nodes", "2,4,8", "--silos", "1", "--repeat", "4", "--out", output);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // The signal(s) once the first point is done; the sweep is then in its second point or between points.
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("[1/12]", StringComparison.Ordinal) && line.Contains("invariant violations", StringComparison.Ordinal))
            {
                foreach (var signal in signals.Split(','))
                {
                    await SendAsync(process, signal, timeout.Token);
                }
                break;
            }
        }
        await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(exitCode, process.ExitCode);
        var error = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"stopped by {named} after", error, StringComparison.Ordinal);
        var rows = ResultsCsv.Read(Path.Combine(output, "results.csv")).Rows;
        Assert.InRange(rows.Count, 1, 11);
        Assert.Contains("\"interrupted\": true", File.ReadAllText(Path.Combine(output, "results.json")), StringComparison.Ordinal);
        Assert.Contains($"Stopped by the user after {rows.Count} of 12 points", File.ReadAllText(Path.Combine(output, "report.html")), StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "plots"), "*.png"));
    }

    [Fact]
    public async Task A_run_ended_by_sigterm_says_so_in_one_line_and_exits_143()
    {
        // A paced run: tens of thousands of misplaced pages at 500 pages/s take minutes, so SIGTERM finds it running.
        using var process = Start("run", "--pages", "20000", "--pace", "500");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Time for the command to start and take the signal for itself.
        await Task.Delay(TimeSpan.FromSeconds(10), timeout.Token);
        Assert.False(process.HasExited, "the run ended before the signal");

        await SendAsync(process, "TERM", timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(143, process.ExitCode);
        Assert.Equal("migration-cluster: interrupted (SIGTERM): the run was abandoned", Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        await stdout;
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliProcess.CommandPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start)!;
    }

    private static async Task SendAsync(Process process, string signal, CancellationToken cancellation)
    {
        using var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync(cancellation);
    }
}
