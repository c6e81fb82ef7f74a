using System.Globalization;
using System.Text.RegularExpressions;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// Test hosts on this machine: one network namespace per host (<c>mc-PID-N-NAME</c>), each with a
/// veth whose other end sits on a bridge in a switch namespace of the lab's own, and an address
/// from 10.231.0.0/24, which exists only inside these namespaces. Nothing is added to the
/// machine's own namespace. Taking a host's port on the switch down is a partition (its TCP
/// connections stall, as across a cut cable); bringing it up heals it. Disposing stops every
/// process the lab started and deletes its namespaces; a lab left behind by a crashed run (its
/// pid gone) is swept away by the next one.
/// </summary>
internal sealed partial class NetworkLab : IAsyncDisposable
{
    public const string Subnet = "10.231.0";
    private static int _sequence;

    private readonly List<LabProcess> _processes = [];
    private readonly Dictionary<string, string> _addresses = [];
    private bool _disposed;

    private NetworkLab(string id)
    {
        Id = id;
        Directory = Path.Combine(Path.GetTempPath(), id);
    }

    /// <summary>Unique on this machine: the test process's pid and a counter.</summary>
    public string Id { get; }

    /// <summary>The lab's files (logs, data directories), deleted with it.</summary>
    public string Directory { get; }

    public IReadOnlyCollection<string> Hosts => _addresses.Keys;

    private string SwitchNamespace => $"{Id}-sw";

    public string NamespaceOf(string host) => $"{Id}-{host}";

    public string AddressOf(string host) => _addresses[host];

    /// <summary>Makes the switch and one namespace per host, addresses .11, .12, ... in the order given.</summary>
    public static async Task<NetworkLab> CreateAsync(params string[] hosts)
    {
        RequireRoot();
        await SweepStaleAsync();
        var lab = new NetworkLab($"mc-{Environment.ProcessId}-{Interlocked.Increment(ref _sequence)}");
        try
        {
            System.IO.Directory.CreateDirectory(lab.Directory);
            await Shell.RunAsync("ip", "netns", "add", lab.SwitchNamespace);
            await Shell.RunAsync("ip", "-n", lab.SwitchNamespace, "link", "add", "br0", "type", "bridge");
            await Shell.RunAsync("ip", "-n", lab.SwitchNamespace, "link", "set", "br0", "up");
            for (var i = 0; i < hosts.Length; i++)
            {
                await lab.AddHostAsync(hosts[i], $"{Subnet}.{11 + i}");
            }
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    private async Task AddHostAsync(string host, string address)
    {
        var ns = NamespaceOf(host);
        await Shell.RunAsync("ip", "netns", "add", ns);
        _addresses[host] = address;
        // The host's end is its eth0; the switch's end is named after the host.
        await Shell.RunAsync("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", host, "netns", SwitchNamespace);
        await Shell.RunAsync("ip", "-n", SwitchNamespace, "link", "set", host, "master", "br0");
        await Shell.RunAsync("ip", "-n", SwitchNamespace, "link", "set", host, "up");
        await Shell.RunAsync("ip", "-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
        await Shell.RunAsync("ip", "-n", ns, "link", "set", "eth0", "up");
        await Shell.RunAsync("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /// <summary>Cuts the host off the switch: nothing reaches it and it reaches nothing (but its own loopback).</summary>
    public Task PartitionAsync(string host) => Shell.RunAsync("ip", "-n", SwitchNamespace, "link", "set", host, "down");

    public Task HealAsync(string host) => Shell.RunAsync("ip", "-n", SwitchNamespace, "link", "set", host, "up");

    /// <summary>Starts a long-running program on <paramref name="host"/>; the lab kills it on dispose.</summary>
    public LabProcess Start(string host, string name, string file, IEnumerable<string> args)
    {
        var process = LabProcess.Start(NamespaceOf(host), name, Path.Combine(Directory, name + ".log"), file, args);
        lock (_processes)
        {
            _processes.Add(process);
        }
        return process;
    }

    /// <summary>Runs a command on <paramref name="host"/> to its end (killed after <paramref name="timeout"/>).</summary>
    public Task<ShellResult> RunAsync(string host, TimeSpan timeout, string file, params string[] args) =>
        Shell.TryRunAsync("ip", ["netns", "exec", NamespaceOf(host), file, .. args], timeout);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        List<LabProcess> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }
        foreach (var process in processes)
        {
            process.Dispose();
        }
        foreach (var host in _addresses.Keys.ToList())
        {
            await RemoveNamespaceAsync(NamespaceOf(host));
        }
        await RemoveNamespaceAsync(SwitchNamespace);
        await RemoveDirectoryAsync(Directory);
    }

    /// <summary>Every process still in the namespace (a server that daemonized, say) is killed, then the namespace goes, its veths with it.</summary>
    private static async Task RemoveNamespaceAsync(string ns)
    {
        var pids = await Shell.TryRunAsync("ip", ["netns", "pids", ns]);
        foreach (var pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await Shell.TryRunAsync("kill", ["-KILL", pid]);
        }
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var left = await Shell.TryRunAsync("ip", ["netns", "pids", ns]);
            if (left.ExitCode != 0 || string.IsNullOrWhiteSpace(left.Stdout))
            {
                break;
            }
            await Task.Delay(100);
        }
        await Shell.TryRunAsync("ip", ["netns", "del", ns]);
    }

    private static async Task RemoveDirectoryAsync(string directory)
    {
        for (var attempt = 0; attempt < 5 && System.IO.Directory.Exists(directory); attempt++)
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>
    /// Namespaces and directories of labs whose test process is gone (a crashed or killed run of
    /// this harness): their processes are killed and they are removed. Labs of a live process are left alone.
    /// </summary>
    public static async Task SweepStaleAsync()
    {
        var list = await Shell.TryRunAsync("ip", ["netns", "list"]);
        foreach (var line in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            if (LabName().Match(name) is { Success: true } match && IsStale(match.Groups[1].Value))
            {
                await RemoveNamespaceAsync(name);
            }
        }
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), "mc-*"))
        {
            if (LabName().Match(Path.GetFileName(directory)) is { Success: true } match && IsStale(match.Groups[1].Value))
            {
                await RemoveDirectoryAsync(directory);
            }
        }
    }

    private static bool IsStale(string pid) =>
        int.Parse(pid, CultureInfo.InvariantCulture) != Environment.ProcessId && !System.IO.Directory.Exists($"/proc/{pid}");

    [GeneratedRegex(@"^mc-(\d+)-\d+(-|$)")]
    private static partial Regex LabName();

    private static void RequireRoot()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Fail("The multi-host tests make network namespaces (ip netns, veth, a bridge): run them as root on Linux, as bash .ci/run does in CI (it runs as root).");
        }
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
        {
            Assert.Fail("The multi-host tests need iproute2's ip: apt-get install -y iproute2");
        }
    }
}
