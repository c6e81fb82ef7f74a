using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace MigrationCluster.Grains.Tests;

public sealed class NumaPlacementTests
{
    [Fact]
    public async Task Node_k_lives_on_the_k_mod_n_th_silo_by_endpoint_before_and_after_a_silo_is_killed()
    {
        const int nodes = 9;
        await using var grains = await GrainCluster.StartAsync(nodes, framesPerNode: 16, silos: 3);
        var silos = ActiveSilos(grains);
        Assert.Equal(3, silos.Length);

        var placed = await SilosOfNodes(grains, nodes);
        for (var k = 0; k < nodes; k++)
        {
            Assert.Equal(NumaNodePlacementDirector.SiloFor(k, silos).ToString(), placed[k]);
        }
        Assert.Equal(3, placed.Distinct().Count());

        // Kill the silo of node 1: its nodes come back on the survivors, the others stay put.
        var victim = grains.Cluster.Silos.Single(s => s.SiloAddress.ToString() == placed[1]);
        await grains.Cluster.KillSiloAsync(victim);
        await grains.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);
        var survivors = ActiveSilos(grains);
        Assert.Equal(2, survivors.Length);

        var after = await SilosOfNodes(grains, nodes);
        for (var k = 0; k < nodes; k++)
        {
            var expected = placed[k] == victim.SiloAddress.ToString() ? NumaNodePlacementDirector.SiloFor(k, survivors).ToString() : placed[k];
            Assert.Equal(expected, after[k]);
        }
    }

    [Fact]
    public void Silos_are_ordered_by_endpoint_not_by_generation()
    {
        var a = SiloAddress.New(System.Net.IPAddress.Loopback, 11112, generation: 5);
        var b = SiloAddress.New(System.Net.IPAddress.Loopback, 11111, generation: 9);
        var c = SiloAddress.New(System.Net.IPAddress.Parse("127.0.0.2"), 11110, generation: 1);
        SiloAddress[] silos = [c, a, b];
        // 11111 (restarted later, higher generation) still comes first.
        Assert.Equal(b, NumaNodePlacementDirector.SiloFor(0, silos));
        Assert.Equal(a, NumaNodePlacementDirector.SiloFor(1, silos));
        Assert.Equal(c, NumaNodePlacementDirector.SiloFor(2, silos));
        Assert.Equal(b, NumaNodePlacementDirector.SiloFor(3, silos));
    }

    /// <summary>Configures each node (a node that came back after a kill starts empty) and asks it where it lives.</summary>
    private static async Task<string[]> SilosOfNodes(GrainCluster grains, int nodes)
    {
        var placed = new string[nodes];
        for (var k = 0; k < nodes; k++)
        {
            var node = grains.Grains.GetGrain<INumaNodeGrain>(k);
            await node.Configure(new NodeConfiguration(16));
            placed[k] = (await node.GetStatus()).Silo;
        }
        return placed;
    }

    private static SiloAddress[] ActiveSilos(GrainCluster grains) =>
        [.. grains.Cluster.Silos[0].ServiceProvider.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];
}
