using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orleans.Runtime;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// A cluster on several test hosts, as the README's "A cluster on several machines" sets one up:
/// PostgreSQL membership on host <c>db</c>, one silo process on each of <c>h1</c>, <c>h2</c>,
/// <c>h3</c> (h3 listens on 0.0.0.0 and advertises its address), a cluster certificate naming the
/// three hosts, and a client directory (<c>client.json</c> and the certificate) for the commands
/// run on host <c>c</c>, and on host <c>x</c>, kept for a client cut off from everyone.
/// </summary>
internal sealed class MultiHostCluster : IAsyncDisposable
{
    public static readonly string[] SiloHosts = ["h1", "h2", "h3"];
    public const string DatabaseHost = "db";
    public const string ClientHost = "c";
    public const string IsolatedClientHost = "x";
    public const int SiloPort = 11111;
    public const int GatewayPort = 30000;
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, LabProcess> _silos = [];
    private readonly Dictionary<string, int> _incarnations = [];
    private readonly Stopwatch _age = Stopwatch.StartNew();

    private MultiHostCluster(NetworkLab lab, LabPostgres database, FailureDetection detection)
    {
        Lab = lab;
        Database = database;
        Detection = detection;
        ClusterId = lab.Id;
        ClientDirectory = Path.Combine(lab.Directory, "client");
        CertificateFile = Path.Combine(lab.Directory, "cluster.pfx");
    }

    public NetworkLab Lab { get; }

    public LabPostgres Database { get; }

    public FailureDetection Detection { get; }

    public string ClusterId { get; }

    /// <summary>What <c>run --cluster</c> is given on the client hosts.</summary>
    public string ClientDirectory { get; }

    public string CertificateFile { get; }

    public static string CommandPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "migration-cluster.dll");
            Assert.True(File.Exists(path), $"The built command is missing: {path}");
            return path;
        }
    }

    public LabProcess SiloOn(string host) => _silos[host];

    public static async Task<MultiHostCluster> StartAsync(FailureDetection detection)
    {
        var lab = await NetworkLab.CreateAsync([DatabaseHost, .. SiloHosts, ClientHost, IsolatedClientHost]);
        LabPostgres? database = null;
        try
        {
            database = await LabPostgres.StartAsync(lab, DatabaseHost);
            var cluster = new MultiHostCluster(lab, database, detection);
            await cluster.PrepareAsync();
            // One after the other: three runtimes starting at once on two cores starve each other's probes.
            foreach (var host in SiloHosts)
            {
                await cluster.StartSiloAsync(host);
            }
            return cluster;
        }
        catch
        {
            if (database is not null)
            {
                await database.DisposeAsync();
            }
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>The certificate (naming the silo hosts) and the client's directory.</summary>
    private async Task PrepareAsync()
    {
        var hosts = string.Join(',', SiloHosts.Select(Lab.AddressOf));
        var made = await Shell.TryRunAsync("dotnet", [CommandPath, "cluster", "certificate", "--out", CertificateFile, "--hosts", hosts], TimeSpan.FromSeconds(60));
        Assert.True(made.ExitCode == 0, $"cluster certificate: {made}");
        Directory.CreateDirectory(ClientDirectory);
        File.Copy(CertificateFile, Path.Combine(ClientDirectory, "cluster.pfx"));
        await File.WriteAllTextAsync(Path.Combine(ClientDirectory, "client.json"), JsonSerializer.Serialize(new
        {
            ClusterId,
            MembershipProvider = "postgres",
            MembershipConnection = Database.ConnectionString,
            // Generous: on a starved 2-core machine (load average 70 measured here) a client took over 30 s to connect.
            ConnectTimeout = "00:01:30",
        }));
        // The same cluster for a client that must not wait long for an answer (the client cut off mid-run).
        Directory.CreateDirectory(ImpatientClientDirectory);
        File.Copy(CertificateFile, Path.Combine(ImpatientClientDirectory, "cluster.pfx"));
        await File.WriteAllTextAsync(Path.Combine(ImpatientClientDirectory, "client.json"), JsonSerializer.Serialize(new
        {
            ClusterId,
            MembershipProvider = "postgres",
            MembershipConnection = Database.ConnectionString,
            ResponseTimeout = ImpatientResponseTimeout.ToString("c", CultureInfo.InvariantCulture),
        }));
    }

    /// <summary>A client directory whose calls give up waiting for an answer after <see cref="ImpatientResponseTimeout"/>.</summary>
    public string ImpatientClientDirectory => Path.Combine(Lab.Directory, "client-impatient");

    public static readonly TimeSpan ImpatientResponseTimeout = TimeSpan.FromSeconds(8);

    /// <summary>The silo's arguments: the README's, with this host's address and the lab's failure detection.</summary>
    private IEnumerable<string> SiloArguments(string host)
    {
        var address = Lab.AddressOf(host);
        // h3 binds every interface and advertises its address; the others bind theirs.
        var endpoints = host == "h3"
            ? new[] { "--Silo:ListenAddress", "0.0.0.0", "--Silo:AdvertisedAddress", address }
            : ["--Silo:ListenAddress", address];
        return [
            CommandPath, "cluster", "silo",
            "--Silo:ClusterId", ClusterId,
            "--Silo:SiloName", host,
            .. endpoints,
            "--Silo:SiloPort", SiloPort.ToString(CultureInfo.InvariantCulture),
            "--Silo:GatewayPort", GatewayPort.ToString(CultureInfo.InvariantCulture),
            "--Silo:MembershipProvider", "postgres",
            "--Silo:MembershipConnection", Database.ConnectionString,
            "--Silo:TlsCertificateFile", CertificateFile,
            "--Silo:Traces", $"jsonl:{TraceFileOf(host)}",
            "--Silo:StartTimeout", "00:01:20",
            .. Detection.SiloArguments(),
        ];
    }

    /// <summary>Where the silo on <paramref name="host"/> writes its spans (Orleans' grain calls among them).</summary>
    public string TraceFileOf(string host) => Path.Combine(Lab.Directory, $"{host}.trace.jsonl");

    /// <summary>
    /// Starts (or restarts) the silo of <paramref name="host"/> and waits until its new incarnation
    /// is Active. A silo that gives up joining (on a starved machine Orleans' 5-second connection
    /// timeout can pass before a peer answers the joining silo's ping) is started again, twice at most.
    /// </summary>
    public async Task StartSiloAsync(string host)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var failure = await TryStartSiloAsync(host);
            if (failure is null)
            {
                return;
            }
            if (attempt == attempts)
            {
                Assert.Fail($"The silo on {host} did not join in {attempts} attempts: {failure}");
            }
        }
    }

    private async Task<string?> TryStartSiloAsync(string host)
    {
        var previous = _incarnations.GetValueOrDefault(host, int.MinValue);
        var silo = Lab.Start(host, $"silo-{host}-{_age.ElapsedMilliseconds}", "dotnet", SiloArguments(host));
        lock (_silos)
        {
            _silos[host] = silo;
        }
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (silo.HasExited)
            {
                return $"it ended ({silo.ExitCode}) before it was Active: {Tail(silo.Log)}";
            }
            var row = (await TryReadMembershipAsync())?.Where(r => r.SiloName == host && r.Generation != previous).MaxBy(r => r.Generation);
            if (row is { Status: SiloStatus.Active })
            {
                lock (_silos)
                {
                    _incarnations[host] = row.Generation;
                }
                return null;
            }
            if (clock.Elapsed > JoinTimeout)
            {
                await silo.StopAsync(TimeSpan.FromSeconds(5));
                return $"it was not Active within {JoinTimeout.TotalSeconds:0} s: {Tail(silo.Log)}";
            }
            await Task.Delay(250);
        }
    }

    private static string Tail(string log) => log.Length <= 4000 ? log : log[^4000..];

    /// <summary>The current incarnation's row of each silo host (the latest generation).</summary>
    public async Task<IReadOnlyDictionary<string, MembershipRow>> CurrentRowsAsync()
    {
        var rows = await Database.ReadMembershipAsync(ClusterId);
        return SiloHosts.Where(h => _incarnations.ContainsKey(h))
            .Select(h => rows.FirstOrDefault(r => r.SiloName == h && r.Generation == _incarnations[h]))
            .Where(r => r is not null)
            .ToDictionary(r => r!.SiloName, r => r!);
    }

    private async Task<IReadOnlyList<MembershipRow>?> TryReadMembershipAsync()
    {
        try
        {
            return await Database.ReadMembershipAsync(ClusterId);
        }
        catch (Npgsql.PostgresException)
        {
            // The table is made by the first silo to start.
            return null;
        }
    }

    /// <summary>
    /// Before a test: every silo process running and Active (one a test left dead or stopped is
    /// started again), every host on the switch.
    /// </summary>
    public async Task EnsureWholeAsync()
    {
        foreach (var host in Lab.Hosts)
        {
            await Lab.HealAsync(host);
        }
        foreach (var host in SiloHosts)
        {
            var silo = _silos[host];
            await Shell.TryRunAsync("kill", ["-CONT", silo.Pid.ToString(CultureInfo.InvariantCulture)]);
            var rows = await CurrentRowsAsync();
            if (silo.HasExited || !rows.TryGetValue(host, out var row) || row.Status != SiloStatus.Active)
            {
                await silo.StopAsync(TimeSpan.FromSeconds(5));
                await StartSiloAsync(host);
            }
        }
    }

    /// <summary>
    /// Waits until a client on <paramref name="host"/> holds a TCP connection to a gateway (seen
    /// with iproute2's ss in the host's namespace): the client is connected, its run under way.
    /// </summary>
    public async Task WaitForGatewayConnectionAsync(string host, Task running, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connections = await Lab.RunAsync(host, TimeSpan.FromSeconds(10), "ss", "-Htn", "state", "established", $"( dport = :{GatewayPort} )");
            if (connections.ExitCode == 0 && !string.IsNullOrWhiteSpace(connections.Stdout))
            {
                return;
            }
            Assert.False(running.IsCompleted, $"the command on {host} ended before it connected to a gateway");
            Assert.True(clock.Elapsed < timeout, $"no client on {host} connected to a gateway within {timeout.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    /// <summary>The command (<c>migration-cluster ARGS</c>) on <paramref name="host"/>, to its end or <paramref name="timeout"/>.</summary>
    public Task<ShellResult> CommandAsync(string host, TimeSpan timeout, params string[] args) =>
        Lab.RunAsync(host, timeout, "dotnet", [CommandPath, .. args]);

    public async ValueTask DisposeAsync()
    {
        // Silos leave gracefully where they can (their logs end cleanly); the lab kills whatever is left.
        foreach (var host in Lab.Hosts)
        {
            await Shell.TryRunAsync("ip", ["-n", $"{Lab.Id}-sw", "link", "set", host, "up"]);
        }
        await Task.WhenAll(_silos.Values.Select(s => s.StopAsync(TimeSpan.FromSeconds(10))));
        await Database.DisposeAsync();
        await Lab.DisposeAsync();
    }
}
