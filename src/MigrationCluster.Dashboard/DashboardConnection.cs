using System.Net;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Hosting.SiloProcess;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MigrationCluster.Dashboard;

/// <summary>How the dashboard's Orleans client reaches the cluster it shows, and how to name that cluster.</summary>
public sealed class DashboardConnection
{
    private DashboardConnection(string description, Action<IClientBuilder> configure, Func<Task>? ensureReachable = null)
    {
        Description = description;
        Configure = configure;
        EnsureReachableAsync = ensureReachable ?? (() => Task.CompletedTask);
    }

    /// <summary>The cluster in words, for the page's header and error messages.</summary>
    public string Description { get; }

    public Action<IClientBuilder> Configure { get; }

    /// <summary>
    /// A quick look before connecting: throws <see cref="ClusterCommandException"/> when the cluster
    /// plainly cannot answer (no silo is running), so that is said at once, not after the connect timeout.
    /// </summary>
    public Func<Task> EnsureReachableAsync { get; }

    /// <summary>
    /// A cluster of silo processes started with <c>cluster start</c>: gateways from its SQLite
    /// membership, mutual TLS with its certificate. No cluster in the directory throws <see cref="UsageException"/>.
    /// </summary>
    public static DashboardConnection ToLocalCluster(string stateDirectory)
    {
        if (LocalClusterClient.RemoteSettingsOf(stateDirectory) is { } remote)
        {
            // A cluster on several machines: nothing local to look at first; the connect timeout says it.
            return new(remote.Describe(), LocalClusterClient.ClientOf(stateDirectory));
        }
        var description = $"the local cluster in {Path.GetFullPath(stateDirectory)}";
        return new(description, LocalClusterClient.ClientOf(stateDirectory), async () =>
        {
            var silos = await ClusterStatusReader.ReadAsync(new LocalClusterState(stateDirectory)).ConfigureAwait(false);
            if (!silos.Any(s => s.Status == nameof(SiloStatus.Active)))
            {
                throw new ClusterCommandException($"could not connect to {description}: no silo of it is running (start it with 'migration-cluster cluster start --silos N --state-dir {stateDirectory}')");
            }
        });
    }

    /// <summary>The silos this process hosts: their loopback gateways, plain TCP as they use.</summary>
    public static DashboardConnection ToEmbeddedCluster(EmbeddedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new($"the embedded cluster of this process ({cluster.GatewayPorts.Count} silo{(cluster.GatewayPorts.Count == 1 ? "" : "s")})", client => client.UseMigrationCluster(o =>
        {
            o.ClusterId = cluster.ClusterId;
        }).UseStaticClustering([.. cluster.GatewayPorts.Select(port => new IPEndPoint(IPAddress.Loopback, port))]));
    }
}
