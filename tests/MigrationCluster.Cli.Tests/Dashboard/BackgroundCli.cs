using System.Diagnostics;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>
/// The built command running in the background (a dashboard, a run that keeps its dashboard open),
/// its output collected line by line; interrupted like Ctrl+C, or killed at the end of the test.
/// </summary>
internal sealed class BackgroundCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private BackgroundCli(Process process) => _process = process;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static BackgroundCli Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliProcess.CommandPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = start };
        var cli = new BackgroundCli(process);
        process.OutputDataReceived += (_, e) => cli.Add(cli._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => cli.Add(cli._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>The first stdout line <paramref name="match"/> accepts; fails the test if the process ends or time runs out first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_stdout)
            {
                if (_stdout.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                _process.WaitForExit(1000);
                Assert.Fail($"no such line ({(_process.HasExited ? $"exited {_process.ExitCode}" : "timed out")}); stdout: {Stdout}; stderr: {Stderr}");
            }
            await Task.Delay(50);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // the output's last lines
        return _process.ExitCode;
    }

    /// <summary>SIGINT, as Ctrl+C sends; returns the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add(line);
        }
    }
}
