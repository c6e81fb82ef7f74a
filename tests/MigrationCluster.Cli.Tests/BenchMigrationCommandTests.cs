using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

public sealed class BenchMigrationCommandTests
{
    [Fact]
    public async Task A_small_run_measures_every_engine_and_the_ping_floor()
    {
        using var temp = new TempDirectory();
        var path = temp.File("migration.json");

        var result = await CliProcess.RunAsync("bench", "migration", "--pages", "2048", "--nodes", "4", "--rounds", "2", "--warm-up", "0", "--json", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = json.RootElement;
        Assert.Equal(2048, root.GetProperty("pages").GetInt32());
        foreach (var engine in new[] { "model", "one_silo", "three_silos", "one_silo_traced" })
        {
            var figures = root.GetProperty(engine);
            Assert.True(figures.GetProperty("pages_per_s").GetDouble() > 0, $"{engine}.pages_per_s");
            // No accessors, nothing pinned: every page moves every round.
            Assert.Equal(2048, figures.GetProperty("migrated_per_round").GetInt64());
            Assert.Equal(2, figures.GetProperty("rounds_pages_per_s").GetArrayLength());
        }
        var model = root.GetProperty("model").GetProperty("pages_per_s").GetDouble();
        var oneSilo = root.GetProperty("one_silo");
        Assert.Equal(oneSilo.GetProperty("pages_per_s").GetDouble() / model, oneSilo.GetProperty("ratio_to_model").GetDouble(), 6);
        // A batch costs a few calls per step, not a few per page; one silo never crosses silos.
        Assert.InRange(oneSilo.GetProperty("grain_calls_per_page").GetDouble(), 0.001, 0.25);
        Assert.True(oneSilo.GetProperty("bytes_allocated_per_page").GetDouble() > 0);
        var threeSilos = root.GetProperty("three_silos");
        Assert.True(threeSilos.GetProperty("cross_silo_calls_per_page").GetDouble() > 0);
        Assert.True(threeSilos.GetProperty("cross_silo_calls_per_page").GetDouble() <= threeSilos.GetProperty("grain_calls_per_page").GetDouble());
        Assert.True(root.GetProperty("one_silo_traced").GetProperty("spans_per_page").GetDouble() >= 14); // one per step a page goes through, at least
        Assert.True(root.GetProperty("orleans_ping").GetProperty("local_calls_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("orleans_ping").GetProperty("remote_calls_per_s").GetDouble() > 0);
        Assert.True(root.GetProperty("machine").GetProperty("processor_count").GetInt32() > 0);
    }

    [Theory]
    [InlineData("--pages", "0")]
    [InlineData("--nodes", "1")]
    [InlineData("--rounds", "0")]
    [InlineData("--pages", "lots")]
    [InlineData("--warm-up", "-1")]
    [InlineData("--warm-up", "soon")]
    public async Task Bad_options_exit_2_with_one_line_and_no_file(string option, string value)
    {
        using var temp = new TempDirectory();
        var path = temp.File("migration.json");

        var result = await CliProcess.RunAsync("bench", "migration", option, value, "--json", path);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("migration-cluster: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
