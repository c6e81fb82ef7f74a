using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MigrationCluster.Hosting.Embedded;
using Orleans.Dashboard;

namespace MigrationCluster.Dashboard.Tests;

/// <summary>
/// The machine's page in someone else's ASP.NET Core application: a plain web app that is an
/// Orleans client of the cluster maps it under a prefix of its own, and the page and its API
/// answer there, from the library's embedded files.
/// </summary>
public sealed class MapMigrationClusterDashboardTests
{
    [Fact]
    public async Task Any_app_with_an_Orleans_client_serves_the_page_and_its_api_under_its_own_prefix()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1, silo => silo.AddDashboard());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.UseOrleansClient(client =>
        {
            DashboardConnection.ToEmbeddedCluster(cluster).Configure(client);
            client.AddDashboard();
        });
        await using var app = builder.Build();
        app.MapGet("/", () => "the host's own page");
        app.MapOrleansDashboard(routePrefix: "/numa/dashboard");
        app.MapMigrationClusterDashboard("/numa", o => o.ClusterName = "the lab's cluster");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

        // The host keeps its own root; the page lives under the prefix, with a slash so its relative links resolve there.
        Assert.Equal("the host's own page", await http.GetStringAsync("/"));
        using (var bare = await http.GetAsync("/numa"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/numa/", bare.Headers.Location?.OriginalString);
        }
        using (var page = await http.GetAsync("/numa/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("<script src=\"machine.js\"", html, StringComparison.Ordinal);
            Assert.Contains("href=\"dashboard/\"", html, StringComparison.Ordinal);
        }
        Assert.Contains("api/state", await http.GetStringAsync("/numa/machine.js"), StringComparison.Ordinal);
        // The page's relative link to Orleans' dashboard lands on it when the app maps it under the same prefix.
        Assert.Contains("index.min.js", await http.GetStringAsync("/numa/dashboard/"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/machine.js")).StatusCode);

        // The API reads the cluster through the app's Orleans client.
        var state = await http.GetFromJsonAsync<JsonElement>("/numa/api/state");
        Assert.Equal("the lab's cluster", state.GetProperty("cluster").GetString());
        Assert.False(state.GetProperty("configured").GetBoolean());
        await app.StopAsync();
    }

    [Fact]
    public void An_app_without_an_Orleans_client_is_told_what_it_lacks()
    {
        var app = WebApplication.CreateSlimBuilder().Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapMigrationClusterDashboard());
        Assert.Contains("UseOrleansClient", error.Message, StringComparison.Ordinal);
    }
}
