using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MigrationCluster.Dashboard;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Experiments;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Grains.Migration;
using Orleans.Dashboard;

namespace MigrationCluster.Dashboard.Tests;

/// <summary>The JSON the machine's page reads and the files it is made of, served in this process against an embedded silo.</summary>
public sealed class MachinePageApiTests
{
    private const string Jaeger = "http://jaeger.example:16686/ui";

    [Fact]
    public async Task The_endpoints_tell_the_machine_its_nodes_vmstat_rate_and_calls_of_a_run()
    {
        // A recorded trace, so the call has a trace id and the page a Jaeger link.
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MigrationTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var cluster = await EmbeddedCluster.StartAsync(1, silo => silo.AddDashboard());
        await using var server = await FreePort.StartAsync(port => DashboardServer.StartAsync(
            new DashboardServerOptions { Port = port, JaegerUrl = Jaeger },
            DashboardConnection.ToEmbeddedCluster(cluster)));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        // Nothing configured yet: the page is told so, plainly.
        var empty = await GetJson(http, "api/machine");
        Assert.False(empty.GetProperty("configured").GetBoolean());
        Assert.Contains("No machine is configured", empty.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("machine").ValueKind);
        Assert.Equal(0, (await GetJson(http, "api/nodes")).GetArrayLength());
        Assert.Equal(0, (await GetJson(http, "api/vmstat")).GetProperty("pgmigrate_success").GetInt64());

        var spec = ExperimentRunner.BuildSpec(new RunOptions { Nodes = 4, AddressSpaces = 4, Pages = 64, Accesses = 50 });
        var result = await cluster.GrainFactory.GetGrain<IExperimentGrain>("api").Run(spec);
        var migrated = result.Migration.Succeeded;
        Assert.True(migrated > 0);
        var calls = await WaitForAsync(http, "api/migrations", c => c.GetArrayLength() == 4 && c.EnumerateArray().All(m => !m.GetProperty("running").GetBoolean()));

        var machine = await GetJson(http, "api/machine");
        Assert.True(machine.GetProperty("configured").GetBoolean());
        Assert.Equal(JsonValueKind.Null, machine.GetProperty("message").ValueKind);
        Assert.Equal(4, machine.GetProperty("machine").GetProperty("nodes").GetInt32());
        Assert.Equal(spec.FramesPerNode, machine.GetProperty("machine").GetProperty("framesPerNode").GetInt32());
        Assert.Equal(spec.Distances, machine.GetProperty("machine").GetProperty("distances").Deserialize<int[][]>());

        var nodes = await GetJson(http, "api/nodes");
        Assert.Equal(["node 0", "node 1", "node 2", "node 3"], nodes.EnumerateArray().Select(n => n.GetProperty("label").GetString()));
        foreach (var node in nodes.EnumerateArray())
        {
            Assert.Equal(spec.FramesPerNode, node.GetProperty("capacity").GetInt32());
            Assert.Equal(node.GetProperty("capacity").GetInt32(), node.GetProperty("framesUsed").GetInt32() + node.GetProperty("framesFree").GetInt32());
            Assert.True(node.GetProperty("framesUsed").GetInt32() > 0);
            Assert.StartsWith("S127.0.0.1:", node.GetProperty("silo").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, node.GetProperty("error").ValueKind);
        }
        Assert.Equal(migrated, nodes.EnumerateArray().Sum(n => n.GetProperty("pagesMigratedIn").GetInt64()));
        Assert.Equal(migrated, nodes.EnumerateArray().Sum(n => n.GetProperty("pagesMigratedOut").GetInt64()));

        // The kernel's names, the run's own counts.
        var vmstat = await GetJson(http, "api/vmstat");
        Assert.Equal(
            result.Migration.VmStat.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => (v.Key, v.Value)),
            vmstat.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (p.Name, p.Value.GetInt64())));

        var rate = await GetJson(http, "api/rate");
        Assert.Equal(300, rate.GetProperty("windowSeconds").GetInt32());
        Assert.Equal(300, rate.GetProperty("migrated").GetArrayLength());
        Assert.Equal(migrated, rate.GetProperty("migrated").EnumerateArray().Sum(v => v.GetInt64()));

        // One migrate_pages call per source node (4), each on the coordinator that lives with its node.
        var all = calls.EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2, 3], all.Select(c => c.GetProperty("coordinator").GetInt32()).Order());
        Assert.Equal((migrated, result.Migration.Failed), (all.Sum(c => c.GetProperty("succeeded").GetInt32()), all.Sum(c => c.GetProperty("failed").GetInt32())));
        Assert.Equal(result.Migration.Passes, all.Max(c => c.GetProperty("passes").GetInt32()));
        Assert.Equal(result.Migration.SimulatedNs, all.Max(c => c.GetProperty("simulatedNs").GetInt64()));
        foreach (var call in all)
        {
            Assert.Equal(result.Migration.StepLatencies.Select(s => s.Name), call.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
            Assert.All(call.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("totalMs").GetDouble() > 0));
            // Steps back to back on the call's simulated clock: their totals are the call's simulated duration.
            Assert.All(call.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("simulatedTotalNs").GetInt64() > 0));
            Assert.Equal(call.GetProperty("simulatedNs").GetInt64(), call.GetProperty("steps").EnumerateArray().Sum(s => s.GetProperty("simulatedTotalNs").GetInt64()));
            var traceId = call.GetProperty("traceId").GetString();
            Assert.Matches("^[0-9a-f]{32}$", traceId);
            Assert.Equal($"{Jaeger}/trace/{traceId}", call.GetProperty("traceUrl").GetString());
        }

        // /api/state is all of it at once.
        var state = await GetJson(http, "api/state");
        Assert.Equal(4, state.GetProperty("nodes").GetArrayLength());
        Assert.Equal(migrated, state.GetProperty("vmstat").GetProperty("pgmigrate_success").GetInt64());
        Assert.Contains("embedded cluster", state.GetProperty("cluster").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_is_served_by_the_app_with_nothing_from_the_network_and_Orleans_dashboard_sits_beside_it()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1, silo => silo.AddDashboard());
        await using var server = await FreePort.StartAsync(port => DashboardServer.StartAsync(new DashboardServerOptions { Port = port }, DashboardConnection.ToEmbeddedCluster(cluster)));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };

        var html = await Get(http, "", "text/html");
        Assert.Contains("<script src=\"machine.js\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"machine.css\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"dashboard/\"", html, StringComparison.Ordinal);
        Assert.Contains("pgmigrate_success", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//"), html);
        var script = await Get(http, "machine.js", "text/javascript");
        Assert.Contains("api/state", script, StringComparison.Ordinal);
        // The one URL in the script is SVG's namespace, a name and not a place to fetch from.
        Assert.Equal(["http://www.w3.org/2000/svg"], Regex.Matches(script, "https?://[^\"' )]*").Select(m => m.Value).Distinct());
        var style = await Get(http, "machine.css", "text/css");
        Assert.DoesNotContain("url(", style, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", style, StringComparison.Ordinal);

        // Orleans' dashboard: its page, and its API answering from the silo's dashboard grain.
        Assert.Contains("index.min.js", await Get(http, "dashboard/", "text/html"), StringComparison.Ordinal);
        var counters = await GetJson(http, "dashboard/DashboardCounters");
        Assert.Equal(JsonValueKind.Object, counters.ValueKind);
        Assert.Contains(counters.EnumerateObject(), p => p.Name.Contains("silo", StringComparison.OrdinalIgnoreCase) || p.Name.Contains("host", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task When_the_cluster_goes_away_the_api_says_so()
    {
        var cluster = await EmbeddedCluster.StartAsync(1);
        await using var server = await FreePort.StartAsync(port => DashboardServer.StartAsync(new DashboardServerOptions { Port = port }, DashboardConnection.ToEmbeddedCluster(cluster)));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        Assert.False((await GetJson(http, "api/machine")).GetProperty("configured").GetBoolean());

        await cluster.DisposeAsync();
        await Task.Delay(MachineStateReader.CacheFor * 2);
        using var response = await http.GetAsync("api/state");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("the cluster did not answer", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<string> Get(HttpClient http, string path, string contentType)
    {
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<JsonElement> GetJson(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The coordinator's reports are one-way: the last may land just after the run returns.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var value = await GetJson(http, path);
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }
}
