using System.Globalization;
using Microsoft.Playwright;
using MigrationCluster.Cli.Tests.Experiments;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>
/// <c>experiment --dashboard PORT</c>: the page follows the sweep from point to point (each on a
/// fresh cluster) and stays open on the last point's machine after the results, until Ctrl+C.
/// </summary>
public sealed class ExperimentDashboardBrowserTests
{
    [Fact]
    public async Task The_sweep_shows_each_points_machine_and_keeps_the_last_one_open_until_interrupted()
    {
        await using var chromium = await ChromiumBrowser.LaunchAsync();
        using var directory = new TempDirectory();
        var output = directory.File("out");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        // The warm-up and the first point have 2 nodes, the last 3: the page can show 3 only if it followed.
        await using var sweep = BackgroundCli.Start("experiment", "--nodes", "2,3", "--dashboard", port, "--out", output);
        await sweep.WaitForLineAsync(l => l.StartsWith($"dashboard: http://127.0.0.1:{port}/", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        await sweep.WaitForLineAsync(l => l.Contains("The dashboard stays open", StringComparison.Ordinal), TimeSpan.FromSeconds(180));
        var lastRow = ResultsCsv.Read(Path.Combine(output, "results.csv")).Rows[^1];
        Assert.Equal("3", lastRow["nodes"]);
        var migrated = ResultsCsv.Integer(lastRow, "migrated");
        Assert.True(migrated > 0, "the last point migrated nothing");

        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{port}/");
        await Assertions.Expect(page.Locator("#nodes .node")).ToHaveCountAsync(3);
        Assert.Equal(["node 0", "node 1", "node 2"], await page.Locator("#nodes .node .label").AllTextContentsAsync());
        // The counters are the last point's machine's own, not a sum over the sweep.
        await Assertions.Expect(page.Locator("#vmstat-pgmigrate_success")).ToHaveTextAsync(migrated.ToString("N0", CultureInfo.InvariantCulture));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = TestArtifacts.File("machine-page-experiment.png"), FullPage = true });

        var orleans = await chromium.NewPageAsync();
        var response = await orleans.GotoAsync($"http://127.0.0.1:{port}/dashboard/");
        Assert.Equal(200, response!.Status);
        Assert.False(sweep.HasExited);

        Assert.Equal(0, await sweep.InterruptAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
    }
}
