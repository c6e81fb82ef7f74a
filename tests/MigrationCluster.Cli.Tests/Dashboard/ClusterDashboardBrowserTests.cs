using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MigrationCluster.Cli.Tests.Cluster;
using Microsoft.Playwright;
using Xunit.Abstractions;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>
/// What a person does: a two-silo cluster, <c>dashboard --cluster DIR --port P</c>, a 4-node
/// <c>run --cluster DIR</c>, and Chromium watching the machine's page and Orleans' dashboard.
/// </summary>
public sealed class ClusterDashboardBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_page_shows_a_runs_machine_live_and_Orleans_dashboard_renders_beside_it()
    {
        await using var chromium = await ChromiumBrowser.LaunchAsync();
        await using var cluster = await LocalCluster.StartAsync(silos: 2);
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        await using var dashboard = BackgroundCli.Start("dashboard", "--cluster", cluster.StateDir, "--port", port);
        var announced = await dashboard.WaitForLineAsync(l => l.Contains($"http://127.0.0.1:{port}/", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains($"http://127.0.0.1:{port}/dashboard/", announced, StringComparison.Ordinal);

        var page = await chromium.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{port}/");
        // No machine yet, and the page says so plainly.
        await Assertions.Expect(page.Locator("#no-machine")).ToContainTextAsync("No machine is configured on this cluster yet");

        // 4 processes x 4,096 pages: a migration of 16,384 pages, paced to at most 4,096 pages per
        // second of wall time, so it lasts at least 4 s however fast the host is, and the page's
        // twice-a-second poll sees it go by (the coordinator reports at most every 100 ms).
        using var directory = new TempDirectory();
        var json = directory.File("run.json");
        await using var run = BackgroundCli.Start("run", "--cluster", cluster.StateDir, "--nodes", "4", "--address-spaces", "4", "--pages", "4096", "--accesses", "100", "--pace", "4096", "--json", json);
        var seen = new List<(long Migrated, double Rate)>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!run.HasExited && DateTime.UtcNow < deadline)
        {
            seen.Add((Number(await page.TextContentAsync("#vmstat-pgmigrate_success")), double.Parse(await page.TextContentAsync("#rate-current") ?? "0", CultureInfo.InvariantCulture)));
            await Task.Delay(100);
        }
        Assert.True(await run.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, run.Stderr);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        var migrated = result.RootElement.GetProperty("vmstat").GetProperty("pgmigrate_success").GetInt64();
        Assert.True(migrated >= 2048, $"{migrated} pages migrated");
        output.WriteLine($"seen during the run (pgmigrate_success, pages/s): {string.Join(" ", seen.Distinct().Select(s => $"({s.Migrated}, {s.Rate})"))}");

        // While the run went on, the counter moved through more than one value and the rate was up.
        var counts = seen.Select(s => s.Migrated).Where(m => m > 0).Distinct().ToArray();
        Assert.True(counts.Length >= 2, $"pgmigrate_success seen during the run: {string.Join(", ", seen.Select(s => s.Migrated).Distinct())}");
        Assert.True(counts.Min() < migrated, $"only the final count was seen: {string.Join(", ", counts)}");
        Assert.True(seen.Select(s => s.Rate).Distinct().Count() >= 2 && seen.Any(s => s.Rate > 0), $"rate seen during the run: {string.Join(", ", seen.Select(s => s.Rate).Distinct())}");

        // The finished run: every node, the kernel's counters with the run's own numbers.
        await Assertions.Expect(page.Locator("#vmstat-pgmigrate_success")).ToHaveTextAsync(migrated.ToString("N0", CultureInfo.InvariantCulture));
        Assert.Equal(["node 0", "node 1", "node 2", "node 3"], await page.Locator("#nodes .node .label").AllTextContentsAsync());
        Assert.True(await page.Locator("#no-machine").IsHiddenAsync());
        var dom = await page.ContentAsync();
        foreach (var name in new[] { "node 0", "node 1", "node 2", "node 3", "pgmigrate_success", "pgmigrate_fail", "numa_pages_migrated" })
        {
            Assert.Contains(name, dom, StringComparison.Ordinal);
        }
        Assert.Equal(16, await page.Locator("#slit-table td").CountAsync());
        Assert.Equal(2, (await page.Locator("#nodes .node .silo").AllTextContentsAsync()).Distinct().Count());
        Assert.True(await page.Locator("#calls tr.call").CountAsync() >= 1);
        Assert.True(await page.Locator("#calls .stepbar span").CountAsync() >= 14, "per-step latency of the call");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = TestArtifacts.File("machine-page-cluster.png"), FullPage = true });

        // Orleans' own dashboard, served beside it, sees both silos.
        var orleans = await chromium.NewPageAsync();
        await orleans.GotoAsync($"http://127.0.0.1:{port}/dashboard/");
        await Assertions.Expect(orleans.Locator("body")).ToContainTextAsync("Orleans Dashboard");
        await Assertions.Expect(orleans.Locator("body")).ToContainTextAsync(new Regex(@"Active Silos\s*2(?!\d)", RegexOptions.IgnoreCase));
        await Assertions.Expect(orleans.Locator("body")).ToContainTextAsync("Total Activations", new() { IgnoreCase = true });
        await orleans.WaitForTimeoutAsync(1000); // its charts draw a moment later: a better picture
        await orleans.ScreenshotAsync(new PageScreenshotOptions { Path = TestArtifacts.File("orleans-dashboard.png"), FullPage = true });

        // Ctrl+C stops the dashboard cleanly.
        Assert.Equal(0, await dashboard.InterruptAsync(TimeSpan.FromSeconds(30)));

        // A cluster that is not running: one line, exit 1.
        var (stopped, _, _) = await ClusterCliProcess.RunAsync("cluster", "stop", "--state-dir", cluster.StateDir);
        Assert.Equal(0, stopped);
        var unreachable = await CliProcess.RunAsync("dashboard", "--cluster", cluster.StateDir, "--port", port);
        Assert.True(unreachable.ExitCode == 1, unreachable.Stderr);
        Assert.StartsWith("migration-cluster: could not connect to the local cluster", Assert.Single(unreachable.StderrLines), StringComparison.Ordinal);
    }

    private static long Number(string? text) => long.Parse(text is null or "–" ? "0" : text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}
