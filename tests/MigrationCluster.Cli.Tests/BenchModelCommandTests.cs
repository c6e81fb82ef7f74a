using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

public sealed class BenchModelCommandTests
{
    [Fact]
    public async Task Small_model_run_writes_positive_figures_and_skips_the_large_model()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.json");

        var result = await CliProcess.RunAsync("bench", "model", "--pages", "20000", "--large-model-pages", "0", "--json", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains("model pages/s", result.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = json.RootElement;
        Assert.Equal(20000, root.GetProperty("pages").GetInt32());
        Assert.Equal(20000, root.GetProperty("migrated").GetInt32());
        foreach (var field in new[] { "floor_pages_per_s", "model_pages_per_s", "ratio", "bytes_per_page", "bytes_per_mapped_page", "simulated_ns" })
        {
            Assert.True(root.GetProperty(field).GetDouble() > 0, $"{field} should be positive");
        }

        var ratio = root.GetProperty("model_pages_per_s").GetDouble() / root.GetProperty("floor_pages_per_s").GetDouble();
        Assert.Equal(ratio, root.GetProperty("ratio").GetDouble(), 3);
        Assert.Equal(0, root.GetProperty("large_model_pages").GetInt64());
        Assert.Equal(0, root.GetProperty("large_model_bytes").GetInt64());
    }

    [Theory]
    [InlineData("--pages", "0", "--large-model-pages", "0")]
    [InlineData("--pages", "many", "--large-model-pages", "0")]
    [InlineData("--pages", "100", "--large-model-pages", "-1")]
    public async Task Bad_options_exit_2_with_one_line_and_no_file(params string[] options)
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.json");

        var result = await CliProcess.RunAsync(["bench", "model", .. options, "--json", path]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("migration-cluster: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.False(File.Exists(path));
    }
}
