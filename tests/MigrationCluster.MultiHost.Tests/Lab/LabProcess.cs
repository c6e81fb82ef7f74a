using System.Diagnostics;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// A long-running process on one test host (<c>ip netns exec</c>, which execs it: the pid is the
/// program's own), its output in a log file. Killed on dispose if still running.
/// </summary>
internal sealed class LabProcess : IDisposable
{
    private readonly Process _process;

    private LabProcess(Process process, string name, string logFile)
    {
        _process = process;
        Name = name;
        LogFile = logFile;
    }

    public string Name { get; }

    public string LogFile { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no log)";

    public static LabProcess Start(string @namespace, string name, string logFile, string file, IEnumerable<string> args)
    {
        // The shell only redirects and then becomes the program (exec), so the pid we hold is the program's.
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in new[] { "netns", "exec", @namespace, "sh", "-c", "exec \"$@\" >>\"$MC_LOG\" 2>&1", "sh", file }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["MC_LOG"] = logFile;
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new LabProcess(process, name, logFile);
    }

    /// <summary>True if the process ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public Task SignalAsync(string signal) => Shell.RunAsync("kill", $"-{signal}", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGTERM (a silo leaves the cluster gracefully), then SIGKILL if it is still there after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        await Shell.TryRunAsync("kill", ["-CONT", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await Shell.TryRunAsync("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!await WaitForExitAsync(grace))
        {
            Kill();
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
