using System.Text.Json;

namespace MigrationCluster.Cli.Tests.Machines;

public sealed class MachineRunTests
{
    private static async Task<JsonElement> RunJson(TempDirectory temp, string name, params string[] args)
    {
        var path = temp.File(name);
        var result = await CliProcess.RunAsync([.. args, "--json", path]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task On_the_zen3_preset_the_batched_protocol_sends_fewer_shootdowns_and_ipis_and_migrates_sooner_than_per_page()
    {
        using var temp = new TempDirectory();
        var a = await RunJson(temp, "a.json", "run", "--machine", "epyc-zen3-2s", "--protocol", "batched");
        var b = await RunJson(temp, "b.json", "run", "--machine", "epyc-zen3-2s", "--protocol", "per-page");

        Assert.Equal("epyc-zen3-2s", a.GetProperty("machine").GetString());
        Assert.Equal("batched", a.GetProperty("protocol").GetString());
        Assert.Equal("per-page", b.GetProperty("protocol").GetString());
        Assert.Equal(2, a.GetProperty("nodes").GetInt32());
        Assert.Equal(a.GetProperty("migrated").GetInt32(), b.GetProperty("migrated").GetInt32());
        Assert.True(a.GetProperty("migrated").GetInt32() > 0);
        JsonElement sa = a.GetProperty("simulated"), sb = b.GetProperty("simulated");
        Assert.True(sa.GetProperty("tlb_shootdowns").GetInt64() < sb.GetProperty("tlb_shootdowns").GetInt64());
        Assert.True(sa.GetProperty("tlb_ipis").GetInt64() < sb.GetProperty("tlb_ipis").GetInt64());
        Assert.True(sa.GetProperty("migration_ns").GetInt64() < sb.GetProperty("migration_ns").GetInt64());
        // Per page, every unmapped PTE is a shootdown to the CPUs its process runs on (4 tasks).
        Assert.Equal(4 * sb.GetProperty("tlb_shootdowns").GetInt64(), sb.GetProperty("tlb_ipis").GetInt64());
        Assert.Equal(0, a.GetProperty("invariants").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task With_a_preset_the_same_seed_gives_the_same_simulated_figures_on_one_silo_and_on_three()
    {
        using var temp = new TempDirectory();
        var one = await RunJson(temp, "one.json", "run", "--machine", "spr-cxl-expander", "--protocol", "batched", "--seed", "5");
        var three = await RunJson(temp, "three.json", "run", "--machine", "spr-cxl-expander", "--protocol", "batched", "--seed", "5", "--silos", "3");

        Assert.Equal(3, one.GetProperty("nodes").GetInt32());
        Assert.Equal(one.GetProperty("simulated").GetRawText(), three.GetProperty("simulated").GetRawText());
        Assert.True(one.GetProperty("simulated").GetProperty("migration_ns").GetInt64() > 0);
    }

    [Fact]
    public async Task On_a_preset_the_model_one_silo_and_three_silos_give_the_same_simulated_migration()
    {
        using var temp = new TempDirectory();
        var path = temp.File("bench.json");
        var result = await CliProcess.RunAsync("bench", "migration", "--machine", "epyc-zen3-2s", "--protocol", "batched", "--pages", "2048", "--rounds", "1", "--warm-up", "0", "--json", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("nodes").GetInt32());
        var simulated = root.GetProperty("simulated");
        long oneSilo = simulated.GetProperty("migration_ns").GetInt64();
        Assert.True(oneSilo > 0);
        Assert.Equal(oneSilo, simulated.GetProperty("model_migration_ns").GetInt64());
        Assert.Equal(oneSilo, simulated.GetProperty("three_silos_migration_ns").GetInt64());
        // Batched, one flush round per batch of 512 pages: 1,024 pages from each node, two batches each.
        Assert.Equal(4, simulated.GetProperty("tlb_shootdowns").GetInt64());
    }

    [Fact]
    public async Task A_machine_whose_node_count_disagrees_with_nodes_is_refused_with_its_file_and_line()
    {
        var result = await CliProcess.RunAsync("run", "--machine", "xeon-e5-2640v3-2s", "--nodes", "4");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Matches(@"^migration-cluster: preset xeon-e5-2640v3-2s:\d+: the machine has 2 nodes but --nodes has 4$", line);
    }

    [Theory]
    [InlineData("costs:\n  syscall_ns: 1\n", "missing field 'name'")]
    [InlineData("latency_ns:\n  - [87, 133]\n", "latency_ns has 1 rows, the machine has 2 nodes")]
    [InlineData("tlb_ipi_ns: -5\n", "costs.tlb_ipi_ns must be a finite number of 0 or more (was -5)")]
    [InlineData("tlb_ipi_ns: .nan\n", "costs.tlb_ipi_ns must be a finite number of 0 or more")]
    public async Task A_bad_machine_file_is_one_line_with_the_file_the_line_and_the_problem(string change, string problem)
    {
        using var temp = new TempDirectory();
        var path = temp.File("bad.yaml");
        await File.WriteAllTextAsync(path, BadMachine(change));

        var result = await CliProcess.RunAsync("run", "--machine", path);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"migration-cluster: {path}:", line, StringComparison.Ordinal);
        Assert.Matches(@":\d+: ", line);
        Assert.Contains(problem, line, StringComparison.Ordinal);
    }

    /// <summary>A valid two-node machine file with one change: a field removed, a table cut, or a cost replaced.</summary>
    private static string BadMachine(string change)
    {
        var lines = new List<string>
        {
            "name: test-machine", "page_size: 4096", "nodes:", "  - cpus: 2", "  - cpus: 2",
            "latency_ns:", "  - [87, 133]", "  - [133, 87]",
            "copy_gbps:", "  - [6, 3.5]", "  - [3.5, 6]",
            "node_copy_gbps: [45, 45]",
            "costs:",
        };
        string[] costs = ["syscall_ns", "lru_drain_ipi_ns", "isolate_ns", "step_ns", "page_lock_ns", "page_flag_ns", "page_alloc_ns", "unmap_ns", "remap_ns", "tlb_flush_ns", "tlb_ipi_ns", "radix_tree_ns", "lru_ns", "writeback_wait_ns"];
        lines.AddRange(costs.Select(c => $"  {c}: 10"));
        var text = string.Join("\n", lines) + "\n";
        if (change.StartsWith("costs:", StringComparison.Ordinal))
        {
            return text.Replace("name: test-machine\n", "", StringComparison.Ordinal);
        }
        if (change.StartsWith("latency_ns:", StringComparison.Ordinal))
        {
            return text.Replace("latency_ns:\n  - [87, 133]\n  - [133, 87]\n", change, StringComparison.Ordinal);
        }
        var key = change[..change.IndexOf(':', StringComparison.Ordinal)];
        return text.Replace($"  {key}: 10\n", $"  {change}", StringComparison.Ordinal);
    }
}
