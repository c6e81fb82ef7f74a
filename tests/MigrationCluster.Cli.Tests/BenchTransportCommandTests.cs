using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

public sealed class BenchTransportCommandTests
{
    private static readonly string[] Cases = ["floor_sequential", "floor_concurrent", "grain_sequential", "grain_concurrent"];

    private static readonly string[] CaseFields = ["calls_per_s", "p50_us", "p99_us", "seconds"];

    [Fact]
    public async Task Short_run_writes_snake_case_cases_and_ratios_that_match_them()
    {
        var directory = Directory.CreateTempSubdirectory("mc-bench-transport-");
        try
        {
            var path = Path.Combine(directory.FullName, "transport.json");

            var result = await CliProcess.RunAsync("bench", "transport", "--duration", "0.3", "--warmup", "0.1", "--json", path);

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var root = json.RootElement;
            foreach (var name in Cases)
            {
                var benchCase = root.GetProperty(name);
                foreach (var field in CaseFields)
                {
                    Assert.True(benchCase.GetProperty(field).GetDouble() > 0, $"{name}.{field} should be positive");
                }
                Assert.True(benchCase.GetProperty("calls").GetInt64() > 0, $"{name}.calls should be positive");
            }
            Assert.Equal(1, root.GetProperty("floor_sequential").GetProperty("callers").GetInt32());
            Assert.Equal(64, root.GetProperty("grain_concurrent").GetProperty("callers").GetInt32());
            // The ratios are what they say: grain over floor, throughput with 64 callers and p50 with one.
            var throughputRatio = root.GetProperty("grain_concurrent").GetProperty("calls_per_s").GetDouble()
                / root.GetProperty("floor_concurrent").GetProperty("calls_per_s").GetDouble();
            Assert.Equal(throughputRatio, root.GetProperty("concurrent_throughput_ratio").GetDouble(), 1e-9);
            var p50Ratio = root.GetProperty("grain_sequential").GetProperty("p50_us").GetDouble()
                / root.GetProperty("floor_sequential").GetProperty("p50_us").GetDouble();
            Assert.Equal(p50Ratio, root.GetProperty("sequential_p50_ratio").GetDouble(), 1e-9);
            Assert.Equal(throughputRatio >= 0.5, root.GetProperty("throughput_goal_met").GetBoolean());
            Assert.False(root.TryGetProperty("floorSequential", out _), "camelCase names are gone");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
