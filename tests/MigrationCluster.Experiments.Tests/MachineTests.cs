using MigrationCluster.Experiments.Calibration;
using MigrationCluster.Experiments.Engines;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Hosting;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Experiments.Tests;

public sealed class MachineTests
{
    [Fact]
    public void Every_preset_loads_and_the_cxl_preset_has_a_memory_node_without_cpus()
    {
        foreach (var name in MachinePresets.Names)
        {
            var machine = MachinePresets.Get(name).Profile;
            Assert.Equal(name, machine.Name);
            Assert.Null(machine.Validate());
            // Remote memory is farther than local in the derived distances.
            Assert.True(machine.Distances()[0][1] > 10);
        }
        var cxl = MachinePresets.Get(MachinePresets.CxlExpander).Profile;
        Assert.Equal(3, cxl.Nodes);
        Assert.Equal(0, cxl.CpusPerNode[2]);
        Assert.Equal(cxl.Nodes, MachineTopology.Of(cxl).Nodes.Count);
        Assert.Empty(MachineTopology.Of(cxl).Nodes[2].Cpus);
    }

    [Fact]
    public void A_table_that_is_not_square_names_the_line_of_the_short_row()
    {
        var text = MachineText().Replace("  - [3.5, 6]", "  - [3.5]", StringComparison.Ordinal);
        var error = Assert.Throws<UsageException>(() => MachineFile.Parse("m.yaml", text));
        Assert.Equal("m.yaml:11: copy_gbps[1] has 1 numbers, the machine has 2 nodes: the table must be square", error.Message);
    }

    [Fact]
    public void Copies_cost_bytes_over_the_pair_bandwidth_capped_by_the_nodes_shared_bandwidth()
    {
        var machine = MachineFile.Parse("m.yaml", MachineText()).Profile;
        var cost = new Memory.Cost.CostModel(machine);
        // 3.5 GB/s is 3.5 bytes per ns: a 4 KiB page and a 2 MiB folio.
        Assert.Equal(4096 / 3.5, cost.CopyNs(0, 1, 4096), 6);
        Assert.Equal((2 << 20) / 3.5, cost.CopyNs(0, 1, 2 << 20), 6);
        // 20 copies at once share the node's 45 GB/s: 2.25 GB/s each.
        Assert.Equal(4096 / 2.25, cost.CopyNs(0, 1, 4096, sharers: 20), 6);
        Assert.Equal(133, cost.AccessNs(0, 1));
    }

    [Fact]
    public async Task The_model_engine_gives_the_same_simulated_figures_for_the_same_machine_and_batched_is_faster()
    {
        var machine = MachinePresets.Get(MachinePresets.EpycZen3).Profile;
        var a = await MovePagesExperiment.RunAsync(machine, 4096, MigrationProtocolKind.PerPage, cpusPerProcess: 8);
        var b = await MovePagesExperiment.RunAsync(machine, 4096, MigrationProtocolKind.PerPage, cpusPerProcess: 8);
        Assert.Equal(a, b);
        var batched = await MovePagesExperiment.RunAsync(machine, 4096, MigrationProtocolKind.Batched, cpusPerProcess: 8);
        Assert.True(batched.Ns < a.Ns);
        Assert.Equal(4096 / 512, batched.TlbShootdowns);
        Assert.Equal(4096 * 8, a.TlbIpis);

        var one = new ModelMigrationEngine(2048, 2, machine, MigrationProtocolKind.Batched);
        var two = new ModelMigrationEngine(2048, 2, machine, MigrationProtocolKind.Batched);
        await one.MigrateRoundAsync();
        await two.MigrateRoundAsync();
        Assert.Equal(one.LastRoundSimulatedNs, two.LastRoundSimulatedNs);
        Assert.True(one.LastRoundSimulatedNs > 0);
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
