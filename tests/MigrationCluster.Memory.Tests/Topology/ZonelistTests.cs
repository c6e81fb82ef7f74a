using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Tests.Topology;

/// <summary>build_zonelists / find_next_best_node (mm/page_alloc.c), through <see cref="NumaTopology.FallbackOrder"/>.</summary>
public class ZonelistTests
{
    [Fact]
    public void Equal_distances_are_used_round_robin_across_the_nodes_lists()
    {
        NumaTopology t = NumaTopology.Uniform(4);

        // The next node first ("penalize nodes under us"), then node_load spreads the first
        // remote pick of each list over the nodes.
        Assert.Equal([0, 1, 2, 3], t.FallbackOrder(0));
        Assert.Equal([1, 2, 3, 0], t.FallbackOrder(1));
        Assert.Equal([2, 3, 0, 1], t.FallbackOrder(2));
        Assert.Equal([3, 0, 1, 2], t.FallbackOrder(3));
    }

    [Fact]
    public void Distance_comes_first()
    {
        NumaTopology t = NumaTopology.ParseNumactlHardware(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "numactl-8node-epyc-nps4.txt")));

        // Node 0: itself, its 11 neighbour, the two at 12, then the other socket.
        Assert.Equal([0, 1, 2, 3], t.FallbackOrder(0).Take(4));
        Assert.Equal([4, 5, 6, 7], t.FallbackOrder(0).Skip(4).Order());
        Assert.Equal([5, 4, 6, 7], t.FallbackOrder(5).Take(4).Take(2).Concat(t.FallbackOrder(5).Skip(2).Take(2).Order()));
    }

    [Fact]
    public void A_memoryless_node_is_in_no_list_and_its_own_list_starts_at_the_best_other_node()
    {
        NumaTopology t = new(
            [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [2], 0, 0), new NumaNodeInfo(3, [3], 64, 64)],
            new[,] { { 10, 16, 20, 16 }, { 16, 10, 20, 16 }, { 20, 20, 10, 20 }, { 16, 16, 20, 10 } });

        // From node 2: 0 and 1 are "under us" (+1) and have CPUs (+1): 22; node 3 has CPUs: 21.
        Assert.Equal([3, 0, 1], t.FallbackOrder(2));
        Assert.All(new[] { 0, 1, 3 }, n => Assert.DoesNotContain(2, t.FallbackOrder(n)));
    }

    [Fact]
    public void A_headless_node_is_preferred_at_equal_distance()
    {
        // Node 2 has memory and no CPUs: from node 0 it beats node 1 at the same distance.
        NumaTopology t = new(
            [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [], 64, 64)],
            new[,] { { 10, 20, 20 }, { 20, 10, 20 }, { 20, 20, 10 } });

        Assert.Equal([0, 2, 1], t.FallbackOrder(0));
    }

    [Fact]
    public void Unknown_node_has_no_list()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NumaTopology.Uniform(2).FallbackOrder(5));
    }
}
