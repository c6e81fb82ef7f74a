using System.Text;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Hosting;

namespace MigrationCluster.Experiments.Tests;

/// <summary>
/// Crafted machine files: each is refused with one line, <c>FILE:LINE: problem</c>, before it can
/// overflow the stack, expand an alias, overflow an int or make a run's work run away.
/// </summary>
public sealed class MachineFileLimitTests
{
    [Theory]
    // Structure: anchors and aliases, repeated and unknown fields, several documents.
    [InlineData("name: m\n", "name: &a m\nx: *a\n", "m.yaml:1: YAML anchors (&a) are not allowed in a machine file")]
    [InlineData("node_copy_gbps: [45, 45]\n", "node_copy_gbps: [45, 45]\nnode_copy_gbps: [45, 45]\n", "m.yaml:13: field 'node_copy_gbps' is given twice")]
    [InlineData("node_copy_gbps: [45, 45]\n", "node_copy_gbps: [45, 45]\nlatency_nss: 3\n", "m.yaml:13: unknown field 'latency_nss' in the machine")]
    [InlineData("  - cpus: 2\n  - cpus: 2\n", "  - cpus: 2\n    gpus: 1\n  - cpus: 2\n", "m.yaml:5: unknown field 'gpus' in nodes[0]")]
    [InlineData("  lru_ns: 10\n", "  lru_ns: 10\n  lru_nss: 10\n", "unknown field 'lru_nss' in costs")]
    [InlineData("name: m\n", "name: m\n---\nname: n\n", "m.yaml:2: expected one YAML document, found several")]
    [InlineData("name: m\n", "name: m\ndescription: [a, b]\n", "m.yaml:2: 'description' must be text, not a list or a mapping")]
    // Values: quoted numbers, values out of bounds, overflowing counts.
    [InlineData("  - [6, 3.5]\n", "  - [\"6\", 3.5]\n", "m.yaml:10: copy_gbps[0][0] must be a number, not the string '6'")]
    [InlineData("  step_ns: 10\n", "  step_ns: 1e12\n", "costs.step_ns must be at most 10,000 (was 1e12)")]
    [InlineData("  writeback_wait_ns: 10\n", "  writeback_wait_ns: 1e30\n", "costs.writeback_wait_ns must be at most 100,000,000 (was 1e30)")]
    [InlineData("  - cpus: 2\n  - cpus: 2\n", "  - cpus: 2147483647\n  - cpus: 2147483647\n", "m.yaml:4: nodes[0].cpus must be at most 8,192")]
    [InlineData("  - [87, 133]\n", "  - [87, 1e300]\n", "m.yaml:7: latency_ns[0][1] must be at most 100,000")]
    [InlineData("  - [87, 133]\n", "  - [87, 3000]\n", "m.yaml:7: latency_ns[0][1] is more than 25.5 x its row's local latency (87 ns)")]
    [InlineData("  - [87, 133]\n", "  - [0.001, 133]\n", "m.yaml:7: latency_ns[0][0] must be at least 1")]
    [InlineData("  - [6, 3.5]\n", "  - [6, 1e-300]\n", "m.yaml:10: copy_gbps[0][1] must be at least 0.1")]
    [InlineData("page_size: 4096\n", "page_size: 1073741824\n", "m.yaml:2: page_size must be at most 65536 bytes")]
    public void A_crafted_machine_file_is_refused_in_one_line_naming_its_line(string valid, string crafted, string expected)
    {
        var text = MachineText();
        Assert.Contains(valid, text, StringComparison.Ordinal);

        var error = Assert.Throws<UsageException>(() => MachineFile.Parse("m.yaml", text.Replace(valid, crafted, StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("m.yaml:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(2_000_000)]
    public void A_machine_file_nested_deeper_than_a_machine_needs_is_refused_without_recursion(int depth)
    {
        // Read recursively, such a file overflowed the stack and killed the process (exit 134).
        var text = MachineText() + "x: " + new string('[', depth) + new string(']', depth) + "\n";

        var error = Assert.Throws<UsageException>(() => MachineFile.Parse("m.yaml", text));

        Assert.Equal("m.yaml:28: nested more than 16 levels deep", error.Message);
    }

    [Fact]
    public void A_machine_of_1024_nodes_is_read_and_its_file_fits_the_size_limit()
    {
        const int nodes = 1024;
        var text = new StringBuilder("name: big\npage_size: 4096\nnodes:\n");
        for (int i = 0; i < nodes; i++)
        {
            text.Append("  - cpus: 4\n");
        }
        void Table(string key, string local, string remote)
        {
            text.Append(key).Append(":\n");
            for (int i = 0; i < nodes; i++)
            {
                text.Append("  - [").AppendJoin(", ", Enumerable.Range(0, nodes).Select(j => i == j ? local : remote)).Append("]\n");
            }
        }
        Table("latency_ns", "80", "160");
        Table("copy_gbps", "6", "4");
        text.Append("node_copy_gbps: [").AppendJoin(", ", Enumerable.Repeat("40", nodes)).Append("]\ncosts:\n");
        foreach (var (key, _) in MachineFile.CostFields)
        {
            text.Append("  ").Append(key).Append(": 100\n");
        }
        // The former limit, 8 MiB (the topology files'), refused every 1,024-node machine file.
        Assert.True(text.Length > 8 << 20);
        Assert.True(text.Length < Hosting.Io.InputFile.MaxMachineBytes);

        var machine = MachineFile.Parse("big.yaml", text.ToString()).Profile;

        Assert.Equal(nodes, machine.Nodes);
        Assert.Equal(20, machine.Distances()[0][1023]);
        var error = Assert.Throws<UsageException>(() => MachineFile.Parse("big.yaml", text.ToString().Replace("nodes:\n", "nodes:\n  - cpus: 4\n", StringComparison.Ordinal)));
        Assert.Equal("big.yaml:4: nodes lists 1025 nodes, more than the 1024 a machine may have", error.Message);
    }

    private static string MachineText()
    {
        var lines = new List<string>
        {
            "name: m", "page_size: 4096", "nodes:", "  - cpus: 2", "  - cpus: 2",
            "latency_ns:", "  - [87, 133]", "  - [133, 87]",
            "copy_gbps:", "  - [6, 3.5]", "  - [3.5, 6]",
            "node_copy_gbps: [45, 45]",
            "costs:",
        };
        lines.AddRange(MachineFile.CostFields.Select(c => $"  {c.Key}: 10"));
        return string.Join("\n", lines) + "\n";
    }
}
