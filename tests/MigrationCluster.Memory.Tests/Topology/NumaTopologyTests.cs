using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Tests.Topology;

public class NumaTopologyTests
{
    private static string Data(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));

    [Fact]
    public void Parses_two_socket_xeon()
    {
        NumaTopology t = NumaTopology.ParseNumactlHardware(Data("numactl-2node-xeon.txt"));
        Assert.Equal(2, t.NodeCount);
        Assert.Equal(21, t.Distance(0, 1));
        Assert.Equal(10, t.Distance(1, 1));
        Assert.Equal(40, t.Node(1).Cpus.Count);
        Assert.Equal(60, t.Node(1).Cpus[^20]);
        Assert.Equal(193530, t.Node(1).SizeMb);
        Assert.Equal(186219, t.Node(0).FreeMb);
        Assert.Equal(193530L * 256, t.Node(1).SizeInPages);
    }

    [Fact]
    public void Parses_four_socket_xeon()
    {
        NumaTopology t = NumaTopology.ParseNumactlHardware(Data("numactl-4node-xeon.txt"));
        Assert.Equal(4, t.NodeCount);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(10, t.Distance(i, i)));
        Assert.Equal(21, t.Distance(3, 0));
        Assert.Equal(48, t.Node(2).Cpus.Count);
    }

    [Fact]
    public void Parses_eight_node_epyc_nps4()
    {
        NumaTopology t = NumaTopology.ParseNumactlHardware(Data("numactl-8node-epyc-nps4.txt"));
        Assert.Equal(8, t.NodeCount);
        Assert.Equal(11, t.Distance(0, 1));
        Assert.Equal(12, t.Distance(0, 2));
        Assert.Equal(32, t.Distance(0, 4));
        Assert.Equal(11, t.Distance(6, 7));
        Assert.Equal(32, t.Distance(7, 3));
    }

    [Fact]
    public void Keeps_an_asymmetric_matrix_and_memoryless_nodes()
    {
        const string text = "available: 2 nodes (0-1)\nnode 0 cpus: 0 1\nnode 0 size: 100 MB\nnode 0 free: 50 MB\nnode 1 cpus: 2 3\nnode 1 size: 0 MB\nnode 1 free: 0 MB\nnode distances:\nnode   0   1\n  0:  10  20\n  1:  30  10\n";
        NumaTopology t = NumaTopology.ParseNumactlHardware(text);
        Assert.Equal(20, t.Distance(0, 1));
        Assert.Equal(30, t.Distance(1, 0));
        Assert.False(t.Node(1).HasMemory);
    }

    [Theory]
    [InlineData("available: 1 nodes (0)\nnode 0 cpus: 0\nnode 0 size: 10 MB\nnode distances:\nnode 0\n  0:  11\n", 6, "local distance must be 10")]
    [InlineData("available: 2 nodes (0-1)\nnode 0 cpus: 0\nnode 0 size: 10 MB\nnode 1 cpus: 1\nnode 1 size: 10 MB\nnode distances:\nnode 0 1\n  0: 10 21\n  1: 21\n", 9, "has 1 values, header has 2")]
    [InlineData("available: 1 nodes (0)\nnode 0 cpus: 0\nnode 0 size: ten MB\n", 3, "bad memory size 'ten'")]
    [InlineData("available: 1 nodes (0)\nnode 0 cpus: 0\nbogus line here\n", 3, "unrecognised line 'bogus line here'")]
    [InlineData("available: 2 nodes (0-1)\nnode 0 cpus: 0\nnode 0 size: 10 MB\nnode 1 cpus: 1\nnode 1 size: 10 MB\nnode distances:\nnode 0 1\n  0: 10 256\n  1: 21 10\n", 8, "remote distance must be 10..255, got 256")]
    public void Rejects_malformed_numactl_output_naming_the_line(string text, int line, string problem)
    {
        var e = Assert.Throws<TopologyFormatException>(() => NumaTopology.ParseNumactlHardware(text));
        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"line {line}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parses_sysfs_distance_lines()
    {
        const string text = "/sys/devices/system/node/node0/distance:10 21 31\n/sys/devices/system/node/node1/distance:21 10 21\n/sys/devices/system/node/node2/distance:31 21 10\n";
        NumaTopology t = NumaTopology.ParseSysfsDistances(text, new Dictionary<int, long> { [2] = 0 });
        Assert.Equal(3, t.NodeCount);
        Assert.Equal(31, t.Distance(2, 0));
        Assert.False(t.Node(2).HasMemory);
        Assert.True(t.Node(0).HasMemory);
    }

    [Fact]
    public void Rejects_a_short_sysfs_row_naming_the_line()
    {
        var e = Assert.Throws<TopologyFormatException>(() => NumaTopology.ParseSysfsDistances("node0/distance:10 21\nnode1/distance:21\n"));
        Assert.Equal("line 2: node 1 has 1 distances for 2 nodes", e.Message);
    }

    [Fact]
    public void Parse_recognises_bare_rows_and_names_nodes_0_to_n_minus_1()
    {
        NumaTopology t = NumaTopology.Parse("10 11 32\n11 10 32\n32 32 10\n");
        Assert.Equal([0, 1, 2], t.Nodes.Select(n => n.Id));
        Assert.Equal(32, t.Distance(2, 1));
    }

    [Fact]
    public void Parse_puts_bare_rows_in_glob_order_back_in_node_order()
    {
        int n = 11;
        string Row(int i) => string.Join(' ', Enumerable.Range(0, n).Select(j => i == j ? 10 : 20 + Math.Abs(i - j)));
        string text = string.Join('\n', Enumerable.Range(0, n).OrderBy(i => $"node{i}", StringComparer.Ordinal).Select(Row));

        NumaTopology t = NumaTopology.Parse(text);

        Assert.Equal(30, t.Distance(10, 0));
        Assert.Equal(21, t.Distance(2, 1));
    }

    [Fact]
    public void Parse_takes_node_ids_for_bare_rows()
    {
        NumaTopology t = NumaTopology.Parse("10 21\n21 10\n", [4, 6]);
        Assert.Equal([4, 6], t.Nodes.Select(n => n.Id));
        var e = Assert.Throws<TopologyFormatException>(() => NumaTopology.Parse("10 21\n21 10\n", [4, 6, 8]));
        Assert.Contains("2 distance rows, but 3 node ids", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_bare_rows_whose_node_cannot_be_told()
    {
        var e = Assert.Throws<TopologyFormatException>(() => NumaTopology.Parse("21 10\n21 10\n"));
        Assert.StartsWith("line 2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("as the row on line 1 does", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_recognises_head_output_and_grep_output()
    {
        NumaTopology head = NumaTopology.Parse("==> /sys/devices/system/node/node0/distance <==\n10 20\n\n==> /sys/devices/system/node/node1/distance <==\n20 10\n");
        NumaTopology grep = NumaTopology.Parse("/sys/devices/system/node/node1/distance:20 10\r\n/sys/devices/system/node/node0/distance:10 20\r\n");
        Assert.Equal(head.DistanceRows(), grep.DistanceRows());
    }

    [Fact]
    public void Parse_reads_numactl_pasted_with_prompt_bom_tabs_crlf_and_trailing_blank_lines()
    {
        string original = Data("numactl-2node-xeon.txt");
        string pasted = "\uFEFF[root@box ~]# numactl --hardware\r\n" + original.Replace("\n", "\r\n", StringComparison.Ordinal).Replace("  0:", "\t0:", StringComparison.Ordinal) + "\r\n\r\n\r\n";

        NumaTopology t = NumaTopology.Parse(pasted);

        Assert.Equal(NumaTopology.ParseNumactlHardware(original).DistanceRows(), t.DistanceRows());
        Assert.Equal(40, t.Node(1).Cpus.Count);
    }

    [Fact]
    public void Parse_names_the_line_of_a_line_it_does_not_know()
    {
        var e = Assert.Throws<TopologyFormatException>(() => NumaTopology.Parse("hello\n"));
        Assert.Equal("line 1: unrecognised line 'hello'", e.Message);
    }

    [Fact]
    public void ParseNumactlHardware_reads_the_sysfs_forms_too_so_every_caller_accepts_them()
    {
        NumaTopology t = NumaTopology.ParseNumactlHardware("10 21\n21 10\n");
        Assert.Equal(21, t.Distance(1, 0));
    }
}
