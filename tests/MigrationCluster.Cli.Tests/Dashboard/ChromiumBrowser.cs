using Microsoft.Playwright;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>
/// Playwright driving Debian's Chromium (Playwright's own browser download cannot work on these
/// machines). A machine without it fails the test, saying how to install it: never a skip.
/// </summary>
internal sealed class ChromiumBrowser : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private readonly IPlaywright _playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"Chromium is not installed at {ExecutablePath}: apt-get install -y chromium");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
                Timeout = 60_000,
            });
            return new ChromiumBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
