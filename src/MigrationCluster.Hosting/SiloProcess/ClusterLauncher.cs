using System.Diagnostics;
using System.Globalization;
using MigrationCluster.Hosting.Security;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>Starts silo processes (the running program again, <c>migration-cluster</c>, with its hidden <c>cluster silo</c> command) and stops them with SIGTERM.</summary>
public static class ClusterLauncher
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>Launches <paramref name="count"/> silos and returns once all are Active; throws <see cref="ClusterCommandException"/> with the reason otherwise.</summary>
    public static async Task<IReadOnlyList<ClusterSiloInfo>> StartAsync(LocalClusterState state, int count, TimeSpan timeout, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(progress);
        state.EnsureCreated();
        var running = RunningSilos(state);
        if (running.Count > 0)
        {
            throw new ClusterCommandException($"A cluster is already running in {state.Directory} ({string.Join(", ", running.Select(r => $"{r.Name} pid {r.Pid}"))}): stop it first with 'migration-cluster cluster stop'.");
        }
        // The cluster's certificate, made once here rather than raced for by the silos.
        ClusterCertificate.LoadOrCreate(state.CertificateFile).Dispose();
        var launched = new List<(string Name, Process Process)>();
        var ports = LoopbackPorts.Free(2 * count);
        for (var i = 1; i <= count; i++)
        {
            var name = $"silo-{i}";
            launched.Add((name, Launch(state, name, ports[2 * i - 2], ports[2 * i - 1])));
            progress.WriteLine($"cluster start: launched {name} (pid {launched[^1].Process.Id})");
        }
        var deadline = DateTime.UtcNow + timeout;
        var names = launched.Select(l => l.Name).ToHashSet();
        while (true)
        {
            foreach (var (name, process) in launched)
            {
                if (process.HasExited)
                {
                    var exitCode = process.ExitCode;
                    await StopAsync(state, TimeSpan.FromSeconds(30), progress).ConfigureAwait(false);
                    throw new ClusterCommandException($"{name} exited with code {exitCode} before it was Active: {LastLine(state.LogFile(name))} (log: {state.LogFile(name)})");
                }
            }
            if (File.Exists(state.MembershipFile))
            {
                var silos = await ClusterStatusReader.ReadAsync(state).ConfigureAwait(false);
                // This start's silos: the live rows under our names (rows of earlier runs are Dead).
                var ours = silos.Where(s => names.Contains(s.SiloName) && s.Status != nameof(SiloStatus.Dead)).ToList();
                // Active in the table, and its status file names its process (so the table below is whole).
                if (ours.Count(s => s.Status == nameof(SiloStatus.Active) && s.ProcessRunning) == count)
                {
                    return ours;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                await StopAsync(state, TimeSpan.FromSeconds(30), progress).ConfigureAwait(false);
                throw new ClusterCommandException($"Not all {count} silos were Active within {timeout.TotalSeconds:0} s (logs in {state.SilosDirectory}); the ones started were stopped.");
            }
            await Task.Delay(PollPeriod).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM to every silo with a pid file; waits for them to exit. Returns how many were running.</summary>
    public static async Task<int> StopAsync(LocalClusterState state, TimeSpan timeout, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(progress);
        var running = RunningSilos(state);
        foreach (var (name, pid) in running)
        {
            progress.WriteLine($"cluster stop: stopping {name} (pid {pid})");
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
                ?? throw new ClusterCommandException("Could not run 'kill'.");
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        var deadline = DateTime.UtcNow + timeout;
        while (running.Any(r => ClusterStatusReader.IsRunning(r.Pid)))
        {
            if (DateTime.UtcNow > deadline)
            {
                var stuck = running.Where(r => ClusterStatusReader.IsRunning(r.Pid)).Select(r => $"{r.Name} pid {r.Pid}");
                throw new ClusterCommandException($"Silos still running after {timeout.TotalSeconds:0} s: {string.Join(", ", stuck)}.");
            }
            await Task.Delay(PollPeriod).ConfigureAwait(false);
        }
        foreach (var (name, _) in running)
        {
            File.Delete(state.PidFile(name));
        }
        return running.Count;
    }

    /// <summary>Silos whose pid file names a live process; stale pid files are removed.</summary>
    private static List<(string Name, int Pid)> RunningSilos(LocalClusterState state)
    {
        var running = new List<(string Name, int Pid)>();
        if (!Directory.Exists(state.SilosDirectory))
        {
            return running;
        }
        foreach (var file in Directory.GetFiles(state.SilosDirectory, "*.pid"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ClusterStatusReader.IsRunning(pid))
            {
                running.Add((name, pid));
            }
            else
            {
                File.Delete(file);
            }
        }
        return running;
    }

    private static Process Launch(LocalClusterState state, string name, int siloPort, int gatewayPort)
    {
        var (program, prefix) = SelfCommand();
        var log = state.LogFile(name);
        // Through sh so that the silo's output goes straight to its log file and it outlives this command.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = state.Directory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>\"$SILO_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(program);
        foreach (var argument in prefix)
        {
            start.ArgumentList.Add(argument);
        }
        string[] arguments =
        [
            "cluster", "silo", "--state-dir", state.Directory, "--name", name, "--cluster-id", LocalClusterState.ClusterId,
            "--port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["SILO_LOG"] = log;
        return Process.Start(start) ?? throw new ClusterCommandException($"Could not start {name}.");
    }

    /// <summary>
    /// How to run this program again: its app host, or <c>dotnet</c> with its dll (the entry
    /// assembly's: this library is not the program, and the program must have <c>cluster silo</c>).
    /// </summary>
    internal static (string Program, IReadOnlyList<string> Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new ClusterCommandException("Cannot tell which program is running.");
        var dll = System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new ClusterCommandException("Cannot tell which program is running.");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? (processPath, [dll]) : (processPath, []);
    }

    private static string LastLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => !string.IsNullOrWhiteSpace(l))?.Trim() ?? "(empty log)" : "(no log)";
        }
        catch (IOException)
        {
            return "(log unreadable)";
        }
    }
}
