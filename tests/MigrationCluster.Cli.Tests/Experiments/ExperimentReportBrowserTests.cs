using Microsoft.Playwright;

namespace MigrationCluster.Cli.Tests.Experiments;

/// <summary>
/// A real browser opens report.html from disk and draws every plot: Debian's Chromium, driven by
/// Playwright (its own browser download cannot work on these machines).
/// </summary>
public sealed class ExperimentReportBrowserTests(ExperimentSweepFixture sweep) : IClassFixture<ExperimentSweepFixture>
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    [Fact]
    public async Task Chromium_opens_the_report_from_disk_and_renders_every_plot()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: this test needs Debian's Chromium (apt-get install -y chromium)");
        Assert.True(sweep.Result.ExitCode == 0, sweep.Result.Stderr);
        var report = Path.Combine(sweep.Output, "report.html");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArguments,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        var response = await page.GotoAsync(new Uri(report).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.NotNull(response);
        Assert.True(response.Ok);

        Assert.Equal("MigrationCluster experiment", await page.TitleAsync());
        var figures = await page.QuerySelectorAllAsync("figure.plot");
        Assert.Equal(6, figures.Count);
        foreach (var figure in figures)
        {
            var name = await figure.GetAttributeAsync("id");
            var svg = await figure.QuerySelectorAsync("svg");
            Assert.True(svg is not null, $"{name} has no svg");
            var box = await svg.BoundingBoxAsync();
            Assert.True(box is { Width: > 300, Height: > 150 }, $"{name} is drawn {box?.Width} x {box?.Height}");
            // Drawn content: shapes and text with a real extent, in the browser's own layout.
            var drawn = await svg.EvaluateAsync<int>("s => [...s.querySelectorAll('path, rect, text')].filter(e => { const b = e.getBBox(); return b.width > 0 || b.height > 0; }).length");
            Assert.True(drawn > 20, $"{name} has only {drawn} drawn elements");
            var labels = await svg.EvaluateAsync<string>("s => [...s.querySelectorAll('text')].map(t => t.textContent).join(' ')");
            Assert.Contains(name == "plot-cross_silo_fraction" ? "silos" : "NUMA nodes", labels, StringComparison.Ordinal);
            // Every plot's pixels: a screenshot of the figure is not one flat colour.
            var png = await svg.ScreenshotAsync();
            Assert.True(png.Length > 5000, $"{name} screenshot is {png.Length} bytes");
        }

        var rows = await page.QuerySelectorAllAsync("table.points tbody tr");
        Assert.Equal(6, rows.Count);
        Assert.All(requests, url => Assert.StartsWith("file://", url, StringComparison.Ordinal));
    }
}
