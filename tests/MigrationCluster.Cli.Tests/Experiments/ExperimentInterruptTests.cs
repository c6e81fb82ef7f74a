using System.Diagnostics;

namespace MigrationCluster.Cli.Tests.Experiments;

public sealed class ExperimentInterruptTests
{
    [Fact]
    public async Task Ctrl_C_stops_after_the_current_point_and_still_writes_what_is_done()
    {
        using var directory = new TempDirectory();
        var output = directory.File("out");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.CommandPath, "experiment", "--nodes", "2,4,8", "--silos", "1", "--repeat", "4", "--out", output })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Ctrl+C (SIGINT) once the first point is done.
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            stdout.Add(line);
            if (line.StartsWith("[1/12]", StringComparison.Ordinal) && line.Contains("invariant violations", StringComparison.Ordinal))
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync(timeout.Token);
                break;
            }
        }
        stdout.AddRange((await process.StandardOutput.ReadToEndAsync(timeout.Token)).Split('\n'));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        var error = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("stopped by Ctrl+C after", error, StringComparison.Ordinal);
        Assert.Contains(stdout, l => l.Contains("stopping after the current point", StringComparison.Ordinal));

        var rows = ResultsCsv.Read(Path.Combine(output, "results.csv")).Rows;
        Assert.InRange(rows.Count, 1, 11);
        Assert.All(rows, r => Assert.Equal("0", r["invariant_violations"]));
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains($"Stopped by the user after {rows.Count} of 12 points", html, StringComparison.Ordinal);
        Assert.Contains("<figure class=\"plot\"", html, StringComparison.Ordinal);
        Assert.Contains("\"interrupted\": true", File.ReadAllText(Path.Combine(output, "results.json")), StringComparison.Ordinal);
    }
}
