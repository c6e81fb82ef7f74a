using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Hosting;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace MigrationCluster.Grains.Tests;

/// <summary>An Orleans test cluster with the simulation's grains, and helpers to lay out a small machine.</summary>
internal sealed class GrainCluster : IAsyncDisposable
{
    private GrainCluster(InProcessTestCluster cluster)
    {
        Cluster = cluster;
    }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>
    /// Deploys <paramref name="silos"/> silos (fast failure detection, so a killed silo is declared
    /// dead in seconds) and configures <paramref name="nodes"/> NUMA nodes.
    /// </summary>
    public static async Task<GrainCluster> StartAsync(int nodes, int framesPerNode, short silos = 1)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddNumaSimulation();
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
        });
        builder.ConfigureClient(client => client.AddActivityPropagation());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForClusterManifestToStabilizeAsync();
        var grains = new GrainCluster(cluster);
        for (var n = 0; n < nodes; n++)
        {
            await grains.Grains.GetGrain<INumaNodeGrain>(n).Configure(new NodeConfiguration(framesPerNode));
        }
        return grains;
    }

    /// <summary>Two-node distances: 10 local, 21 remote.</summary>
    public static AddressSpaceConfiguration Process(int home, int nodes = 2) => new(
        home,
        [home, .. Enumerable.Range(0, nodes).Where(n => n != home)],
        [.. Enumerable.Range(0, nodes).Select(n => n == home ? 10 : 21)],
        LocalAccessNs: 80);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
