using System.Security.Cryptography.X509Certificates;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.SiloProcess;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// An Orleans client of a local cluster started by <c>cluster start</c> (what <c>run --cluster DIR</c>
/// needs): it finds the gateways in the cluster's SQLite membership table. A directory with a
/// <c>client.json</c> (<see cref="ClusterClientSettings"/>) names a cluster on several machines instead.
/// </summary>
public sealed class LocalClusterClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;

    private LocalClusterClient(IHost host) => _host = host;

    public IGrainFactory GrainFactory => _host.Services.GetRequiredService<IClusterClient>();

    public static async Task<LocalClusterClient> ConnectAsync(string stateDirectory, TimeSpan? timeout = null)
    {
        var configure = ClientOf(stateDirectory);
        var state = new LocalClusterState(stateDirectory);
        var remote = RemoteSettingsOf(stateDirectory);
        if (remote is null)
        {
            await RequireLiveLocalSiloAsync(state, stateDirectory).ConfigureAwait(false);
        }
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        // A failed start is said once, in the command's own line below: not again as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        builder.UseOrleansClient(configure);
        var host = builder.Build();
        using var connecting = new CancellationTokenSource(timeout ?? remote?.ConnectTimeout ?? DefaultConnectTimeout);
        // Beside the connect: a refused TLS handshake is said at once, not as the connect timeout.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(connecting.Token);
        var refused = GatewayTlsProbe.FindRefusalAsync(host.Services, probing.Token);
        var started = host.StartAsync(connecting.Token);
        try
        {
            if (await Task.WhenAny(started, refused).ConfigureAwait(false) == refused && await refused.ConfigureAwait(false) is { } refusal)
            {
                await connecting.CancelAsync().ConfigureAwait(false);
                await started.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                host.Dispose();
                throw new UsageException($"--cluster: {refusal}");
            }
            await started.ConfigureAwait(false);
            // Connected: the probe has nothing left to say (cancelled, it ends at once).
            await probing.CancelAsync().ConfigureAwait(false);
            await refused.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or OrleansException or TimeoutException
            or System.Data.Common.DbException or StackExchange.Redis.RedisException or System.Net.Sockets.SocketException)
        {
            host.Dispose();
            if (await refused.ConfigureAwait(false) is { } refusal)
            {
                throw new UsageException($"--cluster: {refusal}", exception);
            }
            // The membership table out of reach is a connection failure too (a client cut off from a remote cluster).
            throw new ClusterCommandException(remote is null
                ? $"could not connect to the cluster in {state.Directory}: {exception.Message}"
                : $"could not connect to {remote.Describe()} within {(timeout ?? remote.ConnectTimeout).TotalSeconds:0} s: {exception.Message}");
        }
        return new LocalClusterClient(host);
    }

    /// <summary>
    /// Refuses at once (exit 2) a cluster of this machine with no Active silo whose process runs:
    /// the Orleans client would otherwise retry its gateways for the whole connect timeout. A
    /// cluster on other machines (<c>client.json</c>) has no processes here to look at: its
    /// client's connect timeout decides.
    /// </summary>
    public static async Task RequireRunningSiloAsync(string stateDirectory)
    {
        if (RemoteSettingsOf(stateDirectory) is not null)
        {
            return;
        }
        ClientOf(stateDirectory);
        await RequireLiveLocalSiloAsync(new LocalClusterState(stateDirectory), stateDirectory).ConfigureAwait(false);
    }

    private static async Task RequireLiveLocalSiloAsync(LocalClusterState state, string stateDirectory)
    {
        var silos = await ClusterStatusReader.ReadAsync(state).ConfigureAwait(false);
        // A silo without a status file yet (pid 0) may be alive: only a known-dead process rules one out.
        if (!silos.Any(s => s.Status == nameof(SiloStatus.Active) && (s.ProcessId == 0 || s.ProcessRunning)))
        {
            throw new UsageException($"--cluster: no silo of the cluster in {state.Directory} is running ({silos.Count} in its table, none Active with a live process): start it with 'migration-cluster cluster start --silos N --state-dir {stateDirectory}'");
        }
    }

    /// <summary>
    /// How an Orleans client reaches the local cluster in <paramref name="stateDirectory"/>: its
    /// SQLite membership table (the gateways) and its certificate (mutual TLS). Throws
    /// <see cref="UsageException"/> when the directory holds no cluster started by <c>cluster start</c>.
    /// </summary>
    public static Action<IClientBuilder> ClientOf(string stateDirectory)
    {
        if (RemoteSettingsOf(stateDirectory) is { } remote)
        {
            return ClientOf(remote);
        }
        var state = new LocalClusterState(stateDirectory);
        if (!File.Exists(state.MembershipFile))
        {
            throw new UsageException($"--cluster: no cluster in {state.Directory} (no membership.db): start one with 'migration-cluster cluster start --silos N --state-dir {stateDirectory}'");
        }
        if (!File.Exists(state.CertificateFile))
        {
            throw new UsageException($"--cluster: no certificate in {state.Directory} (cluster.pfx): the cluster was not started with 'migration-cluster cluster start'");
        }
        X509Certificate2 certificate;
        try
        {
            certificate = ClusterCertificate.Load(state.CertificateFile);
        }
        catch (ArgumentException exception)
        {
            throw new UsageException($"--cluster: {exception.Message}", exception);
        }
        return client => client.UseMigrationCluster(o =>
        {
            o.ClusterId = LocalClusterState.ClusterId;
            o.TlsCertificate = certificate;
        }).UseSqliteClustering(o => o.FilePath = state.MembershipFile);
    }

    /// <summary>The directory's <c>client.json</c> (a cluster on several machines), or null for a local cluster; bad settings throw <see cref="UsageException"/>.</summary>
    public static ClusterClientSettings? RemoteSettingsOf(string directory)
    {
        if (!ClusterClientSettings.ExistsIn(directory))
        {
            return null;
        }
        try
        {
            return ClusterClientSettings.Load(directory);
        }
        catch (ArgumentException exception)
        {
            throw new UsageException($"--cluster: {exception.Message}", exception);
        }
    }

    /// <summary>A cluster on several machines: gateways from its PostgreSQL or Redis membership, mutual TLS with its certificate.</summary>
    private static Action<IClientBuilder> ClientOf(ClusterClientSettings settings)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = ClusterCertificate.Load(settings.TlsCertificateFile);
        }
        catch (ArgumentException exception)
        {
            throw new UsageException($"--cluster: {exception.Message}", exception);
        }
        return client =>
        {
            client.UseMigrationCluster(o =>
            {
                settings.ApplyTo(o);
                o.TlsCertificate = certificate;
            });
            settings.UseClusteringOf(client);
        };
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The process ends anyway.
        }
        _host.Dispose();
    }
}
