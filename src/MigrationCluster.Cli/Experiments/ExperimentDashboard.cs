using MigrationCluster.Cli.Dashboard;
using MigrationCluster.Cli.Hosting;
using MigrationCluster.Cli.Run;

namespace MigrationCluster.Cli.Experiments;

/// <summary>
/// The live view of a sweep (<c>experiment --dashboard PORT</c>). On embedded silos every point
/// runs on a fresh cluster, so the dashboard follows the points: it serves each point's cluster
/// on the same port while the point runs (the page keeps polling and shows the new machine), and
/// the last cluster stays up with it after the results are written, until Ctrl+C. With
/// <c>--cluster</c> one dashboard serves that cluster for the whole sweep.
/// </summary>
public sealed class ExperimentDashboard : IAsyncDisposable
{
    private readonly DashboardServerOptions _options;
    private DashboardServer? _server;

    // The cluster of the point on show: owned here from the moment it is shown, so that the
    // last one outlives its point (a page with nothing behind it would show nothing).
    private EmbeddedCluster? _pointCluster;

    public ExperimentDashboard(DashboardServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Where the machine's page will be, for the line the command prints before the sweep.</summary>
    public string Address => $"http://{_options.ListenAddress}:{_options.Port}/";

    /// <summary>
    /// Takes <paramref name="cluster"/> over (this object stops it from now on) and serves it.
    /// The previous point's cluster must have been let go with <see cref="ClosePointAsync"/>.
    /// </summary>
    public async Task ShowPointAsync(EmbeddedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await ClosePointAsync().ConfigureAwait(false);
        _pointCluster = cluster;
        _server = await DashboardServer.StartAsync(_options, DashboardConnection.ToEmbeddedCluster(cluster)).ConfigureAwait(false);
    }

    /// <summary>Serves a running local cluster for the whole sweep.</summary>
    public async Task ShowClusterAsync(string stateDirectory)
    {
        _server = await DashboardServer.StartAsync(_options, DashboardConnection.ToLocalCluster(stateDirectory)).ConfigureAwait(false);
    }

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

    /// <summary>After the results are written: the page stays until Ctrl+C (at once if it was pressed during the sweep).</summary>
    public Task KeepOpenAsync() => ExperimentRunner.KeepOpenAsync(_server);

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync().ConfigureAwait(false);
        await ClosePointAsync().ConfigureAwait(false);
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
