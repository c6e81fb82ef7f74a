using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Embedded;
using Orleans;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MigrationCluster.Dashboard;

/// <summary>
/// The live view of a cluster: a Kestrel web application that is an Orleans client of the cluster
/// and serves Orleans' own dashboard under <c>/dashboard/</c> (its grain side runs on the silos:
/// <c>AddDashboard()</c>) and the NUMA machine's page at <c>/</c> (<see cref="DashboardEndpointRouteBuilderExtensions.MapMigrationClusterDashboard"/>).
/// <c>migration-cluster dashboard</c> runs one against a local cluster; <c>run --dashboard PORT</c>
/// against the silos it hosts, and keeps it open after the run until Ctrl+C.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>Where Orleans' dashboard is mapped.</summary>
    public const string OrleansDashboardPath = "/dashboard";

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The machine's page, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Orleans' dashboard, e.g. <c>http://127.0.0.1:8080/dashboard/</c>.</summary>
    public Uri OrleansDashboardAddress => new(Address, OrleansDashboardPath.TrimStart('/') + "/");

    /// <summary>The grain factory of the dashboard's own Orleans client.</summary>
    public IGrainFactory GrainFactory => _app.Services.GetRequiredService<IClusterClient>();

    /// <summary>
    /// Checks the options (bad input throws <see cref="UsageException"/>: exit 2), connects to the
    /// cluster (no answer within <paramref name="connectTimeout"/> throws
    /// <see cref="ClusterCommandException"/>: exit 1) and starts listening.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(DashboardServerOptions options, DashboardConnection cluster, TimeSpan? connectTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cluster);
        options.Validate();
        StopSignal.Listen();
        await cluster.EnsureReachableAsync().ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "migration-cluster-dashboard",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        // The command says where to look; Orleans' and ASP.NET Core's information lines are noise.
        // Until the server runs, a failure is the command's one line, not the host's stack trace.
        var started = new StrongBox<bool>();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
        builder.Logging.AddFilter((_, level) => Volatile.Read(ref started.Value) && level >= LogLevel.Error);
        // Ctrl+C and SIGTERM are the command's (StopSignal), not the web host's.
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.ListenIPAddress, options.Port));
        builder.UseOrleansClient(client =>
        {
            cluster.Configure(client);
            client.AddDashboard();
        });
        var app = builder.Build();
        app.MapOrleansDashboard(routePrefix: OrleansDashboardPath);
        app.MapMigrationClusterDashboard(configure: o =>
        {
            o.ClusterName = cluster.Description;
            o.Jaeger = options.Jaeger;
        });

        using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        starting.CancelAfter(connectTimeout ?? DefaultConnectTimeout);
        try
        {
            await app.StartAsync(starting.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or OrleansException or TimeoutException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ClusterCommandException($"could not connect to {cluster.Description}: {Describe(exception)}");
        }
        catch (IOException exception)
        {
            // Kestrel could not bind: the port was taken between the check and now.
            await app.DisposeAsync().ConfigureAwait(false);
            throw new UsageException($"{options.PortOption} {options.Port}: {exception.Message}");
        }
        Volatile.Write(ref started.Value, true);
        var host = options.ListenIPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.ListenAddress}]" : options.ListenAddress;
        return new DashboardServer(app, new Uri($"http://{host}:{options.Port}/"));
    }

    /// <summary>Returns when the process is asked to stop (Ctrl+C, SIGTERM; see <see cref="StopSignal"/>).</summary>
#pragma warning disable CA1822 // An instance method: waiting belongs to an open dashboard.
    public Task WaitForStopSignalAsync() => StopSignal.WaitAsync();
#pragma warning restore CA1822

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(StopTimeout);
        try
        {
            await _app.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the process ends anyway.
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string Describe(Exception exception) => exception is OperationCanceledException
        ? "no gateway answered in time (is the cluster running? see 'migration-cluster cluster status')"
        : exception.Message;
}
