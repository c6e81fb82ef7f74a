using System.Text.Json;

namespace MigrationCluster.Cli.Tests.Machines;

public sealed class CalibrateCommandTests
{
    [Fact]
    public async Task Calibrate_writes_every_published_row_beside_its_simulated_figure_and_all_are_within_tolerance()
    {
        using var temp = new TempDirectory();
        var path = temp.File("calibration.json");

        var result = await CliProcess.RunAsync("calibrate", "--json", path);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(8, rows.Length);
        foreach (var row in rows)
        {
            foreach (var field in new[] { "source", "machine", "figure", "unit", "tolerance" })
            {
                Assert.False(string.IsNullOrEmpty(row.GetProperty(field).GetString()), field);
            }
            double published = row.GetProperty("published").GetDouble(), simulated = row.GetProperty("simulated").GetDouble();
            // Signed: simulated / published - 1.
            Assert.Equal((simulated / published) - 1, row.GetProperty("relative_error").GetDouble(), 3);
            Assert.True(row.GetProperty("within").GetBoolean(), $"{row.GetProperty("figure").GetString()}: {simulated} against {published}");
        }
        string[] figures = [.. rows.Select(r => $"{r.GetProperty("machine").GetString()}|{r.GetProperty("published").GetDouble()}")];
        Assert.Contains("xeon-e5-2640v3-2s|62.47", figures);
        Assert.Contains("xeon-e5-2640v3-2s|1987.38", figures);
        Assert.Contains("epyc-zen3-2s|3.31", figures);
        Assert.Contains("xeon-e5-2640v3-2s|-99.1", figures);
        Assert.Contains("xeon-e5-2640v3-2s|291.7", figures);
        // The rows that need large folios: a 2 MiB THP (Zi Yan), 64 KiB and 2 MiB folios (Garg).
        Assert.Contains("xeon-e5-2640v3-2s|658.54", figures);
        Assert.Contains("epyc-zen3-2s|6.66", figures);
        Assert.Contains("epyc-zen3-2s|11.02", figures);
        // The absolute rows are within +/- 20 %, the IPI row a reduction of at least 95 %.
        Assert.All(rows.Where(r => r.GetProperty("unit").GetString() != "%"), r => Assert.InRange(r.GetProperty("relative_error").GetDouble(), -0.2, 0.2));
        Assert.True(rows.Single(r => r.GetProperty("published").GetDouble() == -99.1).GetProperty("simulated").GetDouble() <= -95);
    }
}
