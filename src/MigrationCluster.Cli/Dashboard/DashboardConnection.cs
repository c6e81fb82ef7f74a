using MigrationCluster.Cli.Hosting;
using MigrationCluster.Hosting;
using Orleans.Hosting;

namespace MigrationCluster.Cli.Dashboard;

/// <summary>How the dashboard's Orleans client reaches the cluster it shows, and how to name that cluster.</summary>
public sealed class DashboardConnection
{
    private DashboardConnection(string description, Action<IClientBuilder> configure)
    {
        Description = description;
        Configure = configure;
    }

    /// <summary>The cluster in words, for the page's header and error messages.</summary>
    public string Description { get; }

    public Action<IClientBuilder> Configure { get; }

    /// <summary>
    /// A cluster of silo processes started with <c>cluster start</c>: gateways from its SQLite
    /// membership, mutual TLS with its certificate. No cluster in the directory throws <see cref="Commands.UsageException"/>.
    /// </summary>
    public static DashboardConnection ToLocalCluster(string stateDirectory) =>
        new($"the local cluster in {Path.GetFullPath(stateDirectory)}", LocalClusterClient.ClientOf(stateDirectory));

    /// <summary>The silos this process hosts: their loopback gateways, plain TCP as they use.</summary>
    public static DashboardConnection ToEmbeddedCluster(EmbeddedCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return new($"the embedded cluster of this process ({cluster.GatewayPorts.Count} silo{(cluster.GatewayPorts.Count == 1 ? "" : "s")})", client => client.UseMigrationCluster(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.Clustering = ClusteringProvider.Localhost;
            foreach (var port in cluster.GatewayPorts)
            {
                o.GatewayPorts.Add(port);
            }
        }));
    }
}
