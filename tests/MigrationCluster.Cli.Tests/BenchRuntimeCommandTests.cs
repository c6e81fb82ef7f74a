using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

public sealed class BenchRuntimeCommandTests
{
    private static readonly string[] ShapeFields =
    [
        "floor_calls_per_s", "grain_calls_per_s", "ratio", "p50_us", "p99_us", "floor_p50_us", "floor_p99_us",
        "traced_grain_calls_per_s", "traced_ratio", "traced_p50_us", "traced_p99_us",
    ];

    [Fact]
    public async Task Short_run_writes_both_shapes_with_positive_figures()
    {
        var directory = Directory.CreateTempSubdirectory("mc-bench-");
        try
        {
            var path = Path.Combine(directory.FullName, "nested", "bench.json");

            var result = await CliProcess.RunAsync("bench", "runtime", "--duration", "0.2", "--rounds", "2", "--json", path);

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.Contains("concurrent_64x1000", result.Stdout, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var shapes = json.RootElement.GetProperty("shapes");
            foreach (var shapeName in new[] { "sequential", "concurrent_64x1000" })
            {
                var shape = shapes.GetProperty(shapeName);
                foreach (var field in ShapeFields)
                {
                    Assert.True(shape.GetProperty(field).GetDouble() > 0, $"{shapeName}.{field} should be positive");
                }
                // The ratios are what they say: grain over floor throughput.
                var ratio = shape.GetProperty("grain_calls_per_s").GetDouble() / shape.GetProperty("floor_calls_per_s").GetDouble();
                Assert.Equal(ratio, shape.GetProperty("ratio").GetDouble(), 0.006); // the file rounds to 2 places
                var tracedRatio = shape.GetProperty("traced_grain_calls_per_s").GetDouble() / shape.GetProperty("floor_calls_per_s").GetDouble();
                Assert.Equal(tracedRatio, shape.GetProperty("traced_ratio").GetDouble(), 0.006);
            }
            var machine = json.RootElement.GetProperty("machine");
            Assert.Equal(Environment.ProcessorCount, machine.GetProperty("processor_count").GetInt32());
            Assert.Equal(0.2, machine.GetProperty("duration_s_per_case").GetDouble(), 6);
            Assert.Equal(2, machine.GetProperty("rounds_per_case").GetInt32());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Unwritable_json_path_fails_the_run_with_exit_1()
    {
        var blocker = Path.GetTempFileName();
        try
        {
            // A regular file where a directory should be: the report cannot be written.
            var result = await CliProcess.RunAsync("bench", "runtime", "--duration", "0.05", "--json", Path.Combine(blocker, "bench.json"));

            Assert.Equal(1, result.ExitCode);
            Assert.Single(result.StderrLines, line => line.StartsWith("migration-cluster: ", StringComparison.Ordinal));
            Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
