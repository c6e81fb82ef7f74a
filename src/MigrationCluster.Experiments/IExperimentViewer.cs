using MigrationCluster.Hosting.Embedded;

namespace MigrationCluster.Experiments;

/// <summary>
/// A live view of the clusters an experiment runs on (the command's dashboard). This library does
/// not reference the web application: the caller hands a viewer in, and the runner and the sweep
/// tell it which cluster is on, and when.
/// </summary>
public interface IExperimentViewer : IAsyncDisposable
{
    /// <summary>What the silos of an embedded cluster need for the view (the grain side of Orleans' dashboard).</summary>
    void ConfigureSilo(ISiloBuilder silo);

    /// <summary>
    /// Takes <paramref name="cluster"/> over (the viewer stops it from now on, even if showing it
    /// fails) and shows it; the previous point's cluster must have been let go with <see cref="ClosePointAsync"/>.
    /// </summary>
    Task ShowPointAsync(EmbeddedCluster cluster);

    /// <summary>Shows a running local cluster (its state directory) until the viewer is disposed.</summary>
    Task ShowClusterAsync(string stateDirectory);

    /// <summary>Stops showing the previous point, and stops its cluster, before the next point starts.</summary>
    Task ClosePointAsync();

    /// <summary>After the results: returns when the view may close (the user says so).</summary>
    Task KeepOpenAsync();
}
