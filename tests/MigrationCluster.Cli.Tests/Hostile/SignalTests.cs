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

    [Theory]
    [InlineData("INT", 130, "Ctrl+C")]
    [InlineData("TERM", 143, "SIGTERM")]
    public async Task Calibrate_stopped_by_a_signal_says_so_in_one_line_and_writes_nothing(string signal, int exitCode, string named)
    {
        using var directory = new TempDirectory();
        var json = directory.File("calibration.json");
        // The calibration takes about 1.1 s of CPU after a start-up of about 0.3 s: the signal goes
        // once the process has used 0.6 s of CPU, which on a quiet or a loaded host alike is past
        // the command's start (where it takes its signals) and before the calibration's end.
        using var process = Start("calibrate", "--json", json);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (CpuTime(process) < TimeSpan.FromSeconds(0.6))
        {
            Assert.False(process.HasExited, "the calibration ended before the signal");
            await Task.Delay(10, timeout.Token);
        }

        await SendAsync(process, signal, timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(exitCode, process.ExitCode);
        Assert.Equal($"migration-cluster: interrupted ({named}): the calibration was abandoned (nothing written)", Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(json));
        await stdout;
    }

    [Fact]
    public async Task A_traced_run_stopped_by_ctrl_c_leaves_a_trace_file_of_whole_lines_that_trace_show_reads()
    {
        using var directory = new TempDirectory();
        var trace = directory.File("run.jsonl");
        // Paced (2,000 pages per process, moved at 400 pages/s), with a span per page: spans are exported while the run goes on, and Ctrl+C finds it running.
        using var process = Start("run", "--pages", "2000", "--pace", "400", "--trace", $"jsonl:{trace}", "--trace-pages");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        // Until the exporter has written the migration's first step spans (it exports in batches), for at most two minutes.
        long scanned = 0;
        var stepSeen = false;
        for (var waited = 0; !stepSeen; waited++)
        {
            Assert.True(waited < 1200, "no lock_page span was written to the trace file within two minutes");
            if (process.HasExited)
            {
                Assert.Fail($"the run ended before the signal: {await stderr}");
            }
            await Task.Delay(100, timeout.Token);
            stepSeen = ContainsSince(trace, ref scanned, "\"name\":\"lock_page\"");
        }

        await SendAsync(process, "INT", timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Equal("migration-cluster: interrupted (Ctrl+C): the run was abandoned", Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        await stdout;
        var bytes = await File.ReadAllBytesAsync(trace);
        Assert.Equal((byte)'\n', bytes[^1]);
        var read = MigrationCluster.Hosting.Telemetry.TraceFile.Read(trace);
        Assert.Null(read.CutLineNumber);
        Assert.NotEmpty(read.Spans);
        var shown = await CliProcess.RunAsync("trace", "show", trace);
        Assert.True(shown.ExitCode == 0, $"trace show: exit {shown.ExitCode}: {shown.Stderr}");
        Assert.Equal(string.Empty, shown.Stderr);
        Assert.Contains("lock_page", shown.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Whether the bytes of <paramref name="path"/> after <paramref name="offset"/> hold <paramref name="text"/> (ASCII); moves the offset on.</summary>
    private static bool ContainsSince(string path, ref long offset, string text)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // Back by the text's length, so a match across two reads is found.
        stream.Position = Math.Max(0, offset - text.Length);
        var bytes = new byte[stream.Length - stream.Position];
        stream.ReadExactly(bytes);
        offset = stream.Length;
        return System.Text.Encoding.ASCII.GetString(bytes).Contains(text, StringComparison.Ordinal);
    }

    /// <summary>The CPU time a process has used (user and system), from /proc/PID/stat.</summary>
    private static TimeSpan CpuTime(Process process)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{process.Id}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero; // it ended: the caller sees HasExited
        }
        // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 14th and 15th, in clock ticks of 1/100 s.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
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
