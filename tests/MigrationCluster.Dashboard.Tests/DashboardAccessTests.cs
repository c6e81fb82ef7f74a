using System.Net;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Embedded;
using Orleans.Dashboard;

namespace MigrationCluster.Dashboard.Tests;

/// <summary>The dashboard beyond loopback needs a token on every route; Orleans' routes answer 400 to a malformed silo address.</summary>
public sealed class DashboardAccessTests
{
    private const string Token = "a-test-token-of-some-length";

    [Fact]
    public void Listening_beyond_loopback_without_a_token_is_refused()
    {
        var refusal = Assert.Throws<UsageException>(() => new DashboardServerOptions { ListenAddress = "0.0.0.0", Port = 1 }.Validate());

        Assert.Contains("--auth-token", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_every_route_asks_for_it_and_the_query_once_leaves_a_cookie()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1, silo => silo.AddDashboard());
        await using var server = await FreePort.StartAsync(port => DashboardServer.StartAsync(
            new DashboardServerOptions { Port = port, AuthToken = Token },
            DashboardConnection.ToEmbeddedCluster(cluster)));
        using var anonymous = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        foreach (var route in new[] { "", "machine.js", "api/state", "dashboard/", "dashboard/Trace", "dashboard/ClusterStats" })
        {
            using var refused = await anonymous.GetAsync(new Uri(route, UriKind.Relative));
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"/{route}: {refused.StatusCode}");
        }
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/state") { Headers = { { "Authorization", "Bearer not-the-token-at-all" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "api/state") { Headers = { { "Authorization", $"Bearer {Token}" } } };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(bearer)).StatusCode);

        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies };
        using var browser = new HttpClient(handler) { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri($"?token={Token}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("api/state", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(new Uri("dashboard/ClusterStats", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("dashboard/SiloProperties/garbage")]
    [InlineData("dashboard/SiloStats/not%20an%20address")]
    [InlineData("dashboard/SiloCounters/1.2.3.4")]
    [InlineData("dashboard/HistoricalStats/%FF%FE")]
    public async Task Orleans_dashboard_answers_400_to_a_malformed_silo_address(string route)
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1, silo => silo.AddDashboard());
        await using var server = await FreePort.StartAsync(port => DashboardServer.StartAsync(new DashboardServerOptions { Port = port }, DashboardConnection.ToEmbeddedCluster(cluster)));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        using var response = await http.GetAsync(new Uri(route, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a silo address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
