using System.Text.Json;

namespace MigrationCluster.Cli.Tests.Folios;

/// <summary><c>run --folio-size</c>: processes' private memory in large folios, moved whole by NUMA balancing.</summary>
public sealed class RunFolioSizeTests
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
    public async Task Two_MiB_folios_move_as_thps_one_pmd_each_with_the_same_simulated_figures_on_one_silo_and_on_three()
    {
        using var temp = new TempDirectory();
        string[] args = ["run", "--folio-size", "2M", "--nodes", "2", "--address-spaces", "2", "--pages", "1024", "--file-fraction", "0"];
        var one = await RunJson(temp, "one.json", args);
        var three = await RunJson(temp, "three.json", [.. args, "--silos", "3"]);

        // Two processes of 1,024 private pages: two THPs each, all misplaced after the move.
        Assert.Equal("2M", one.GetProperty("folio_size").GetString());
        Assert.Equal(4, one.GetProperty("migrated").GetInt32());
        Assert.Equal(2048, one.GetProperty("pages_migrated").GetInt64());
        var vmstat = one.GetProperty("vmstat");
        Assert.Equal(4, vmstat.GetProperty("thp_migration_success").GetInt64());
        Assert.Equal(2048, vmstat.GetProperty("pgmigrate_success").GetInt64());
        // Per page (the default protocol), a PMD migration entry is one shootdown, not 512.
        Assert.Equal(4, one.GetProperty("simulated").GetProperty("tlb_shootdowns").GetInt64());
        Assert.Equal(0, one.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.Equal(one.GetProperty("simulated").GetRawText(), three.GetProperty("simulated").GetRawText());
    }

    [Fact]
    public async Task Folios_of_64KiB_cost_less_simulated_time_than_base_pages_for_the_same_memory()
    {
        using var temp = new TempDirectory();
        var folios = await RunJson(temp, "folios.json", "run", "--folio-size", "64K", "--file-fraction", "0", "--accesses", "0");
        var pages = await RunJson(temp, "pages.json", "run", "--folio-size", "4K", "--file-fraction", "0", "--accesses", "0");

        Assert.Equal(pages.GetProperty("pages_migrated").GetInt64(), folios.GetProperty("pages_migrated").GetInt64());
        Assert.Equal(16 * folios.GetProperty("migrated").GetInt32(), pages.GetProperty("migrated").GetInt32());
        Assert.True(folios.GetProperty("simulated").GetProperty("migration_ns").GetInt64() < pages.GetProperty("simulated").GetProperty("migration_ns").GetInt64());
        Assert.Equal(0, folios.GetProperty("vmstat").GetProperty("thp_migration_success").GetInt64());
    }

    [Theory]
    [InlineData("3K", "is not a power of two times the 4 KiB base page")]
    [InlineData("4M", "is larger than the PMD size (2048 KiB)")]
    [InlineData("lots", "is not a size")]
    [InlineData("1M", "is larger than a process's private memory (192 pages)")]
    public async Task A_bad_folio_size_is_one_line_and_exit_2(string size, string problem)
    {
        var result = await CliProcess.RunAsync("run", "--folio-size", size);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        // The line names the option it is about.
        Assert.Contains("--folio-size", line, StringComparison.Ordinal);
    }
}
