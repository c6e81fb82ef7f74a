using System.Globalization;
using MigrationCluster.Cli.Tests.Experiments;

namespace MigrationCluster.Cli.Tests.Machines;

public sealed class ExperimentMachineTests
{
    [Fact]
    public async Task A_sweep_over_both_protocols_on_a_preset_has_a_row_each_plots_both_and_names_them_in_the_report()
    {
        using var temp = new TempDirectory();
        var result = await CliProcess.RunAsync("experiment", "--machine", "epyc-zen3-2s", "--protocol", "per-page,batched", "--out", temp.Path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        var rows = ResultsCsv.Read(Path.Combine(temp.Path, "results.csv")).Rows;
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("epyc-zen3-2s", r["machine"]));
        Assert.All(rows, r => Assert.Equal("2", r["nodes"]));
        var perPage = Assert.Single(rows, r => r["protocol"] == "per-page");
        var batched = Assert.Single(rows, r => r["protocol"] == "batched");
        Assert.True(long.Parse(batched["tlb_ipis"], CultureInfo.InvariantCulture) < long.Parse(perPage["tlb_ipis"], CultureInfo.InvariantCulture));
        Assert.True(long.Parse(batched["sim_migration_ns"], CultureInfo.InvariantCulture) < long.Parse(perPage["sim_migration_ns"], CultureInfo.InvariantCulture));
        Assert.True(File.Exists(Path.Combine(temp.Path, "plots", "sim_tlb_ipis.svg")));
        var throughput = await File.ReadAllTextAsync(Path.Combine(temp.Path, "plots", "sim_pages_per_s.svg"));
        Assert.Contains("1 silo, batched", throughput, StringComparison.Ordinal);
        Assert.Contains("1 silo, per-page", throughput, StringComparison.Ordinal);
        var report = await File.ReadAllTextAsync(Path.Combine(temp.Path, "report.html"));
        Assert.Contains("epyc-zen3-2s", report, StringComparison.Ordinal);
        Assert.Contains("per-page, batched", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_machine_file_with_another_node_count_than_nodes_is_refused_before_any_point()
    {
        using var temp = new TempDirectory();
        var result = await CliProcess.RunAsync("experiment", "--machine", "spr-cxl-expander", "--nodes", "2,4", "--out", temp.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"^migration-cluster: preset spr-cxl-expander:\d+: the machine has 3 nodes but --nodes has 2$", Assert.Single(result.StderrLines));
        Assert.False(File.Exists(Path.Combine(temp.Path, "results.csv")));
    }
}
