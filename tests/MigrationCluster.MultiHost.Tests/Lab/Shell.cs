using System.Diagnostics;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>What a command that ran to its end printed, and how long it took.</summary>
internal sealed record ShellResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed, bool TimedOut)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s{(TimedOut ? " (killed: timed out)" : "")}; stderr: {Stderr.Trim()}; stdout: {Stdout.Trim()}";
}

/// <summary>Runs a command (ip, su, pg_ctl, the built CLI in a namespace) to its end, within a bound: never a hang.</summary>
internal static class Shell
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<ShellResult> TryRunAsync(string file, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        return new ShellResult(timedOut ? -1 : process.ExitCode, await stdout, await stderr, clock.Elapsed, timedOut);
    }

    /// <summary>Runs the command and returns its output; a failure throws with what it printed.</summary>
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var result = await TryRunAsync(file, args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' failed: {result}");
        }
        return result.Stdout;
    }
}
