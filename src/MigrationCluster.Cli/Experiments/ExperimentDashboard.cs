using MigrationCluster.Dashboard;
using MigrationCluster.Experiments;
using MigrationCluster.Hosting.Embedded;
using Orleans.Dashboard;
using Orleans.Hosting;

namespace MigrationCluster.Cli.Experiments;

/// <summary>
/// The dashboard of <c>run --dashboard PORT</c> and <c>experiment --dashboard PORT</c>, as the
/// experiment's viewer. On embedded silos every sweep point runs on a fresh cluster, so the
/// dashboard follows the points: it serves each point's cluster on the same port while the point
/// runs (the page keeps polling and shows the new machine), and the last cluster stays up with it
/// after the results, until Ctrl+C. With <c>--cluster</c> one dashboard serves that cluster throughout.
/// </summary>
public sealed class ExperimentDashboard : IExperimentViewer
{
    private readonly DashboardServerOptions _options;
    private readonly bool _sayWhere;
    private DashboardServer? _server;

    // The cluster of the point on show: owned here from the moment it is shown, so that the
    // last one outlives its point (a page with nothing behind it would show nothing).
    private EmbeddedCluster? _pointCluster;

    /// <param name="options">Where to listen.</param>
    /// <param name="sayWhere">Print where the dashboard is each time it starts (<c>run</c>; <c>experiment</c> says it once itself).</param>
    public ExperimentDashboard(DashboardServerOptions options, bool sayWhere = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _sayWhere = sayWhere;
    }

    /// <summary>Where the machine's page will be, for the line the command prints before the sweep.</summary>
    public string Address => $"http://{_options.ListenAddress}:{_options.Port}/";

    /// <summary>The dashboard <c>--dashboard PORT</c> asks for (on loopback), or null.</summary>
    public static ExperimentDashboard? ForRun(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (DashboardServerOptions.ForDashboardOption(options.DashboardPort, options.JaegerUrl) is not { } dashboard)
        {
            return null;
        }
        // From now on, Ctrl+C means: no need to keep the dashboard open after the report.
        StopSignal.Listen();
        return new ExperimentDashboard(dashboard, sayWhere: true);
    }

    /// <summary>The grain side of Orleans' dashboard (its call profiler), on every silo it will look at.</summary>
    public void ConfigureSilo(ISiloBuilder silo) => silo.AddDashboard();

    public async Task ShowPointAsync(EmbeddedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await ClosePointAsync().ConfigureAwait(false);
        _pointCluster = cluster;
        await StartAsync(DashboardConnection.ToEmbeddedCluster(cluster)).ConfigureAwait(false);
    }

    public Task ShowClusterAsync(string stateDirectory) => StartAsync(DashboardConnection.ToLocalCluster(stateDirectory));

    /// <summary>
    /// Stops the previous point's dashboard and cluster, before the next point starts: a point's
    /// peak memory is its own, and its silos do not share the cores with the last point's.
    /// </summary>
    public async Task ClosePointAsync()
    {
        if (_pointCluster is null)
        {
            return;
        }
        await StopServerAsync().ConfigureAwait(false);
        await _pointCluster.DisposeAsync().ConfigureAwait(false);
        _pointCluster = null;
    }

    /// <summary>After the report or results: the page stays until Ctrl+C (or SIGTERM); at once if that came during the run.</summary>
    public async Task KeepOpenAsync()
    {
        if (_server is null || StopSignal.IsRequested)
        {
            return;
        }
        Console.WriteLine($"The dashboard stays open at {_server.Address}: Ctrl+C to stop.");
        await _server.WaitForStopSignalAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync().ConfigureAwait(false);
        await ClosePointAsync().ConfigureAwait(false);
    }

    private async Task StartAsync(DashboardConnection connection)
    {
        _server = await DashboardServer.StartAsync(_options, connection).ConfigureAwait(false);
        if (_sayWhere)
        {
            Console.WriteLine($"dashboard: {_server.Address} (Orleans' dashboard: {_server.OrleansDashboardAddress})");
        }
    }

    private async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
            _server = null;
        }
    }
}
