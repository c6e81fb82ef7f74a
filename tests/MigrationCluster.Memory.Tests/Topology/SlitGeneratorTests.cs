using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Tests.Topology;

public class SlitGeneratorTests
{
    public static TheoryData<SlitShape, int> Sizes()
    {
        var data = new TheoryData<SlitShape, int>();
        foreach (SlitShape shape in Enum.GetValues<SlitShape>())
        {
            foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 11, 16, 63, 64, 100, 121, 122, 123, 200, 255, 256, 511, 1000, 1023, 1024 })
            {
                data.Add(shape, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_generated_matrix_is_a_valid_symmetric_slit(SlitShape shape, int nodes)
    {
        NumaTopology t = SlitGenerator.Generate(shape, nodes);

        Assert.Equal(nodes, t.NodeCount);
        Assert.Equal(Enumerable.Range(0, nodes), t.Nodes.Select(n => n.Id));
        int[][] d = t.DistanceRows();
        for (int i = 0; i < nodes; i++)
        {
            Assert.Equal(10, d[i][i]);
            for (int j = i + 1; j < nodes; j++)
            {
                Assert.InRange(d[i][j], 11, 254);
                Assert.Equal(d[i][j], d[j][i]);
            }
        }
    }

    [Fact]
    public void Every_size_from_1_to_300_is_valid()
    {
        foreach (SlitShape shape in Enum.GetValues<SlitShape>())
        {
            for (int n = 1; n <= 300; n++)
            {
                int[][] d = SlitGenerator.Generate(shape, n).DistanceRows();
                Assert.True(d.Select((row, i) => row.Select((v, j) => i == j ? v == 10 : v is >= 11 and <= 254 && v == d[j][i]).All(x => x)).All(x => x), $"{shape} {n}");
            }
        }
    }

    [Fact]
    public void Ring_keeps_the_projects_default_of_12_plus_4_per_hop()
    {
        int[][] d = SlitGenerator.Ring(4).DistanceRows();
        Assert.Equal([10, 16, 20, 16], d[0]);
        Assert.Equal([16, 10, 16, 20], d[1]);

        // The farthest node of a 121-node ring is 60 hops away: 12 + 240.
        Assert.Equal(252, SlitGenerator.Ring(121).Distance(0, 60));
    }

    [Fact]
    public void Longer_rings_spread_their_hops_over_the_slit_range_and_grow_with_them()
    {
        NumaTopology t = SlitGenerator.Ring(1024);
        int[] fromZero = [.. Enumerable.Range(1, 512).Select(j => t.Distance(0, j))];
        Assert.Equal(13, fromZero[0]);
        Assert.Equal(254, fromZero[^1]);
        Assert.True(fromZero.Zip(fromZero.Skip(1)).All(p => p.First <= p.Second));
    }

    [Theory]
    [InlineData(8, 4)]
    [InlineData(12, 4)]
    [InlineData(10, 5)]
    [InlineData(14, 7)]
    [InlineData(6, 6)]
    [InlineData(3, 4)]
    [InlineData(11, 4)]
    public void Sockets_are_4_to_8_nodes(int nodes, int perSocket)
    {
        Assert.Equal(perSocket, SlitGenerator.DefaultNodesPerSocket(nodes));
        NumaTopology t = SlitGenerator.Sockets(nodes);
        for (int j = 1; j < nodes; j++)
        {
            Assert.Equal(j < perSocket ? 16 : 32, t.Distance(0, j));
        }
    }

    [Fact]
    public void Sockets_take_an_explicit_size()
    {
        NumaTopology t = SlitGenerator.Sockets(16, nodesPerSocket: 8);
        Assert.Equal(16, t.Distance(0, 7));
        Assert.Equal(32, t.Distance(7, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlitGenerator.Sockets(16, nodesPerSocket: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlitGenerator.Sockets(16, nodesPerSocket: 9));
    }

    [Fact]
    public void Mesh_distance_follows_the_hops_on_the_grid()
    {
        // 3x3: node 0 at (0,0), 4 at (1,1), 8 at (2,2).
        NumaTopology t = SlitGenerator.Mesh(9);
        Assert.Equal(16, t.Distance(0, 1));
        Assert.Equal(16, t.Distance(0, 3));
        Assert.Equal(20, t.Distance(0, 4));
        Assert.Equal(28, t.Distance(0, 8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1025)]
    public void Node_counts_outside_1_to_1024_are_refused(int nodes)
    {
        Assert.All(Enum.GetValues<SlitShape>(), shape => Assert.Throws<ArgumentOutOfRangeException>(() => SlitGenerator.Generate(shape, nodes)));
    }
}
