using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary><c>run --dashboard PORT</c>: the same page for the command's own silos, open after the run until Ctrl+C.</summary>
public sealed class RunDashboardBrowserTests
{
    [Fact]
    public async Task The_run_serves_its_machine_and_keeps_the_page_open_until_interrupted()
    {
        await using var chromium = await ChromiumBrowser.LaunchAsync();
        using var directory = new TempDirectory();
        var json = directory.File("run.json");
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        await using var run = BackgroundCli.Start("run", "--dashboard", port, "--nodes", "3", "--address-spaces", "3", "--pages", "128", "--accesses", "100", "--json", json);
        await run.WaitForLineAsync(l => l.StartsWith($"dashboard: http://127.0.0.1:{port}/", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{port}/");

        // The run ends, reports, and the page stays.
        await run.WaitForLineAsync(l => l.Contains("The dashboard stays open", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        Assert.Contains("pgmigrate_success", run.Stdout, StringComparison.Ordinal);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        var migrated = result.RootElement.GetProperty("vmstat").GetProperty("pgmigrate_success").GetInt64();
        await Assertions.Expect(page.Locator("#vmstat-pgmigrate_success")).ToHaveTextAsync(migrated.ToString("N0", CultureInfo.InvariantCulture));
        Assert.Equal(["node 0", "node 1", "node 2"], await page.Locator("#nodes .node .label").AllTextContentsAsync());
        await Assertions.Expect(page.Locator("#cluster")).ToContainTextAsync("embedded cluster of this process (1 silo)");

        // The calls' per-step bars are in simulated time, and say so: per step, the calls' bars add
        // up to the run's simulated total of that step; the longest call is the migration's duration.
        await Assertions.Expect(page.Locator("#calls tr.call")).ToHaveCountAsync(3);
        Assert.Equal(["simulated", "host wall"], (await page.Locator("#calls > thead th").AllTextContentsAsync()).Where(h => h.Contains("simulated", StringComparison.Ordinal) || h.Contains("host", StringComparison.Ordinal)));
        Assert.Equal(["simulated", "simulated", "simulated"], await page.Locator("#calls .stepbar").EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.clock)"));
        var barNs = await page.Locator("#calls .stepbar span").EvaluateAllAsync<long[][]>("spans => spans.map(s => [Number(s.dataset.step), Number(s.dataset.ns)])");
        var simulated = result.RootElement.GetProperty("simulated");
        foreach (var step in simulated.GetProperty("steps").EnumerateArray())
        {
            Assert.Equal(step.GetProperty("total_ns").GetInt64(), barNs.Where(b => b[0] == step.GetProperty("step").GetInt32()).Sum(b => b[1]));
        }
        var callNs = await page.Locator("#calls .stepbar").EvaluateAllAsync<long[]>("bars => bars.map(b => Number(b.dataset.totalNs))");
        Assert.Equal(simulated.GetProperty("migration_ns").GetInt64(), callNs.Max());
        Assert.All(await page.Locator("#calls .stepbar span").EvaluateAllAsync<string[]>("spans => spans.map(s => s.title)"), t => Assert.EndsWith("%)", t));
        Assert.Contains("simulated (", await page.Locator("#calls .stepbar span").First.GetAttributeAsync("title"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = TestArtifacts.File("machine-page-run.png"), FullPage = true });

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#nodes .node")).ToHaveCountAsync(3);
        Assert.False(run.HasExited);

        Assert.Equal(0, await run.InterruptAsync(TimeSpan.FromSeconds(30)));
    }
}
