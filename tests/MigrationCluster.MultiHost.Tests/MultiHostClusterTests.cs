using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.MultiHost.Tests.Lab;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace MigrationCluster.MultiHost.Tests;

/// <summary>
/// Silo processes on three test hosts (network namespaces on one bridge) with PostgreSQL
/// membership on a fourth, and the command run from a fifth: a migration across the hosts, and
/// partitions (a host's link down), a pause (SIGSTOP) and a cut-off client. Each test starts with
/// the cluster whole and leaves it so; the lab removes every namespace and process at the end.
/// </summary>
public sealed class MultiHostClusterTests(MultiHostFixture fixture, ITestOutputHelper output) : IClassFixture<MultiHostFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);
    private static readonly string[] SmallRun = ["--nodes", "6", "--address-spaces", "6", "--pages", "64", "--accesses", "100"];
    // Held to 30 pages/s of wall time (--pace): 1,536 pages take about 51 s, so a host cut a few
    // seconds after the client connects is cut in the middle of the run (set-up or migration).
    private static readonly string[] LongRun = ["--nodes", "6", "--address-spaces", "6", "--pages", "256", "--accesses", "100", "--pace", "30"];

    private MultiHostCluster Cluster => fixture.Cluster;

    private Timings Timings => new(output, Cluster.Detection);

    [Fact]
    public async Task A_migration_runs_across_three_hosts_with_node_grains_on_each_and_calls_between_them()
    {
        await Cluster.EnsureWholeAsync();

        await AssertCleanRunAsync("three-host");

        // The silos' spans show where the node grains ran and which calls crossed hosts (they are exported in batches: wait for them).
        var files = MultiHostCluster.SiloHosts.ToDictionary(h => h, Cluster.TraceFileOf);
        var clock = Stopwatch.StartNew();
        var traces = SiloTraces.Read(files);
        while (!(traces.HostsServingNodeGrains.Count == 3 && MultiHostCluster.SiloHosts.All(h => traces.CrossHostCalls.Any(c => c.To == h))) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            traces = SiloTraces.Read(files);
        }
        Assert.True(traces.HostsServingNodeGrains.SetEquals(MultiHostCluster.SiloHosts), $"node grains served on {string.Join(", ", traces.HostsServingNodeGrains)} only: {traces.Describe()}");
        var crossings = traces.CrossHostCalls;
        foreach (var host in MultiHostCluster.SiloHosts)
        {
            Assert.True(crossings.Any(c => c.To == host), $"no grain call reached {host} from another host: {traces.Describe()}");
        }
        Timings.Write($"three-host run: {crossings.Count} grain calls crossed hosts ({string.Join(", ", crossings.GroupBy(c => $"{c.From}->{c.To}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))})");
    }

    [Fact]
    public async Task A_host_cut_off_during_a_run_is_declared_dead_stops_itself_once_healed_and_rejoins_and_the_next_run_is_clean()
    {
        await Cluster.EnsureWholeAsync();
        const string victim = "h2";
        var address = Cluster.Lab.AddressOf(victim);
        var silo = Cluster.SiloOn(victim);

        var runClock = Stopwatch.StartNew();
        var run = Cluster.CommandAsync(MultiHostCluster.ClientHost, CommandTimeout, ["run", "--cluster", Cluster.ClientDirectory, .. LongRun]);
        await Cluster.WaitForGatewayConnectionAsync(MultiHostCluster.ClientHost, run, TimeSpan.FromSeconds(60));
        // The set-up takes a few seconds (a whole unpaced run about 5 s), the held migration about
        // 51 s: the cut falls in the middle of the migration, where the coordinators on the other
        // hosts wait at the run's clock for the one on the lost host.
        await Task.Delay(TimeSpan.FromSeconds(10));
        await Cluster.Lab.PartitionAsync(victim);
        var partitionedAt = runClock.Elapsed;
        var clock = Stopwatch.StartNew();

        // The majority declares it dead within the failure-detection bound; the survivors stay Active.
        while (true)
        {
            var rows = await Cluster.CurrentRowsAsync();
            if (rows[victim].Status == SiloStatus.Dead)
            {
                Assert.All(MultiHostCluster.SiloHosts.Where(h => h != victim), h => Assert.Equal(SiloStatus.Active, rows[h].Status));
                break;
            }
            Assert.True(clock.Elapsed < Cluster.Detection.DeathBound, $"{victim} was not declared Dead within {Cluster.Detection.DeathBound.TotalSeconds:0} s of its partition ({rows[victim].Status})");
            await Task.Delay(200);
        }
        Timings.Record($"partitioned silo declared Dead after", clock.Elapsed);

        // The run ends: finished, or one line naming the silo it lost.
        var result = await run;
        Assert.False(result.TimedOut, $"the run hung: {result}");
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        if (result.ExitCode == 1)
        {
            var line = Assert.Single(result.StderrLines);
            Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
            Assert.True(line.Contains(victim, StringComparison.Ordinal) || line.Contains(address, StringComparison.Ordinal), $"the line does not name {victim} ({address}): {line}");
            Timings.Record($"run ended (exit 1: {line}) after the partition, at", result.Elapsed - partitionedAt);
        }
        else
        {
            Timings.Write($"run finished (exit 0) {(result.Elapsed - partitionedAt).TotalSeconds:0.0} s after the partition (its grains were elsewhere, or it was done)");
        }

        // Cut off, the silo cannot read its verdict; healed, it does, and stops itself (Orleans fails fast).
        await Cluster.Lab.HealAsync(victim);
        var healClock = Stopwatch.StartNew();
        Assert.True(await silo.WaitForExitAsync(Cluster.Detection.SelfStopBound), $"{victim} did not stop itself within {Cluster.Detection.SelfStopBound.TotalSeconds:0} s of healing: {Tail(silo.Log)}");
        Assert.NotEqual(0, silo.ExitCode);
        Timings.Record("healed silo stopped itself after", healClock.Elapsed);

        // Started again, it joins as a new incarnation.
        var rejoin = Stopwatch.StartNew();
        await Cluster.StartSiloAsync(victim);
        Timings.Record("restarted silo Active again after", rejoin.Elapsed);
        Timings.Record("from healing to the silo Active again", healClock.Elapsed);

        await AssertCleanRunAsync("after the partition");
    }

    [Fact]
    public async Task With_the_membership_database_cut_off_the_silos_keep_serving_calls_no_silo_is_declared_dead_and_membership_resumes_after_healing()
    {
        await Cluster.EnsureWholeAsync();
        await AssertCleanRunAsync("before the database partition");
        // A client that is connected before the cut: its gateways are known, the table is not needed to call grains.
        var dashboard = Cluster.Lab.Start(MultiHostCluster.ClientHost, $"dashboard-{Guid.NewGuid():N}", "dotnet",
            [MultiHostCluster.CommandPath, "dashboard", "--cluster", Cluster.ClientDirectory, "--port", "18080"]);
        try
        {
            await WaitForNodesAsync(dashboard, TimeSpan.FromSeconds(60));

            await Cluster.Lab.PartitionAsync(MultiHostCluster.DatabaseHost);
            var clock = Stopwatch.StartNew();
            var reads = 0;
            // Longer than it takes to declare a silo dead: nobody may be, since no vote can be written.
            while (clock.Elapsed < Cluster.Detection.DatabaseCutDuration)
            {
                var nodes = await ReadNodesAsync();
                Assert.True(nodes.Ok, $"with the database cut off, the cluster did not answer: {nodes.Text}");
                reads++;
                Assert.All(MultiHostCluster.SiloHosts, h => Assert.False(Cluster.SiloOn(h).HasExited, $"{h} ended while the table was out of reach: {Tail(Cluster.SiloOn(h).Log)}"));
                await Task.Delay(TimeSpan.FromSeconds(2));
            }
            Timings.Write($"database cut off for {clock.Elapsed.TotalSeconds:0} s: {reads} reads of every node grain answered");

            await Cluster.Lab.HealAsync(MultiHostCluster.DatabaseHost);
            var healClock = Stopwatch.StartNew();
            var healedAt = (await Cluster.CurrentRowsAsync()).Values.Max(r => r.ServerNow);
            var bound = Cluster.Detection.IAmAliveTablePublishTimeout * 2 + TimeSpan.FromSeconds(20);
            while (true)
            {
                var rows = await Cluster.CurrentRowsAsync();
                Assert.All(MultiHostCluster.SiloHosts, h => Assert.Equal(SiloStatus.Active, rows[h].Status));
                if (rows.Values.All(r => r.IAmAlive > healedAt))
                {
                    break;
                }
                Assert.True(healClock.Elapsed < bound, $"the silos did not write to the table again within {bound.TotalSeconds:0} s of healing");
                await Task.Delay(250);
            }
            Timings.Record("membership written again (every silo's I-am-alive) after healing the database", healClock.Elapsed);
        }
        finally
        {
            await dashboard.StopAsync(TimeSpan.FromSeconds(10));
        }
        await AssertCleanRunAsync("after the database partition");
    }

    [Fact]
    public async Task A_silo_paused_longer_than_the_probe_timeout_stays_a_member_and_one_paused_past_its_death_stops_itself_when_resumed()
    {
        await Cluster.EnsureWholeAsync();
        const string paused = "h1";
        var silo = Cluster.SiloOn(paused);
        var generation = (await Cluster.CurrentRowsAsync())[paused].Generation;

        // Longer than one probe timeout, shorter than the missed probes that make a suspicion.
        var shortPause = Cluster.Detection.ProbeTimeout * 1.5;
        await silo.SignalAsync("STOP");
        await Task.Delay(shortPause);
        await silo.SignalAsync("CONT");
        await Task.Delay(Cluster.Detection.TableRefreshTimeout * 2 + Cluster.Detection.ProbeTimeout * Cluster.Detection.NumMissedProbesLimit);
        var rows = await Cluster.CurrentRowsAsync();
        Assert.False(silo.HasExited, $"{paused} ended after a {shortPause.TotalSeconds:0.0} s pause: {Tail(silo.Log)}");
        Assert.Equal(generation, rows[paused].Generation);
        Assert.All(MultiHostCluster.SiloHosts, h => Assert.Equal(SiloStatus.Active, rows[h].Status));
        await AssertCleanRunAsync($"after a {shortPause.TotalSeconds:0.0} s pause");

        // Paused until the others declare it dead: resumed, it reads its verdict and stops itself.
        await silo.SignalAsync("STOP");
        var clock = Stopwatch.StartNew();
        while ((await Cluster.CurrentRowsAsync())[paused].Status != SiloStatus.Dead)
        {
            Assert.True(clock.Elapsed < Cluster.Detection.DeathBound, $"paused {paused} was not declared Dead within {Cluster.Detection.DeathBound.TotalSeconds:0} s");
            await Task.Delay(200);
        }
        Timings.Record("paused silo declared Dead after", clock.Elapsed);
        await silo.SignalAsync("CONT");
        var resumed = Stopwatch.StartNew();
        Assert.True(await silo.WaitForExitAsync(Cluster.Detection.SelfStopBound), $"{paused}, resumed after being declared dead, did not stop itself: {Tail(silo.Log)}");
        Assert.NotEqual(0, silo.ExitCode);
        Timings.Record("resumed dead silo stopped itself after", resumed.Elapsed);
        await Cluster.StartSiloAsync(paused);
        await AssertCleanRunAsync("after the long pause");
    }

    [Fact]
    public async Task A_client_cut_off_from_the_cluster_before_it_connects_fails_with_one_line_within_its_timeout()
    {
        await Cluster.EnsureWholeAsync();
        const string host = MultiHostCluster.IsolatedClientHost;

        // Cut off before it starts: it cannot reach the membership table nor a gateway (ConnectTimeout 30 s).
        await Cluster.Lab.PartitionAsync(host);
        try
        {
            var result = await Cluster.CommandAsync(host, TimeSpan.FromSeconds(90), ["run", "--cluster", Cluster.ImpatientClientDirectory, .. SmallRun]);
            Assert.False(result.TimedOut, $"the cut-off client hung: {result}");
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.StderrLines);
            Assert.StartsWith("migration-cluster: could not connect to cluster", line, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\bat [\w.`<>\[\],]+\(", result.Stderr);
            Assert.True(result.Elapsed < TimeSpan.FromSeconds(30 + 30), $"took {result.Elapsed.TotalSeconds:0} s: {result}");
            Timings.Record($"cut-off client gave up ({line}) after", result.Elapsed);
        }
        finally
        {
            await Cluster.Lab.HealAsync(host);
        }

        await AssertCleanRunAsync("after the client's partition");
    }

    [Fact]
    public async Task A_client_cut_off_from_the_cluster_during_its_run_fails_with_one_line_within_its_response_timeout()
    {
        await Cluster.EnsureWholeAsync();
        const string host = MultiHostCluster.IsolatedClientHost;

        // Connected, its run under way, then cut off: no connection closes, no answer comes.
        var runClock = Stopwatch.StartNew();
        var run = Cluster.CommandAsync(host, TimeSpan.FromSeconds(120), ["run", "--cluster", Cluster.ImpatientClientDirectory, .. LongRun]);
        try
        {
            await Cluster.WaitForGatewayConnectionAsync(host, run, TimeSpan.FromSeconds(60));
            // Well after the client's connect (TLS, the cluster's manifest: it took over 2 s once
            // under load, and a cut before it ends is a failed connect), well before the held
            // migration's end (about 51 s).
            await Task.Delay(TimeSpan.FromSeconds(10));
            await Cluster.Lab.PartitionAsync(host);
            var partitionedAt = runClock.Elapsed;

            var result = await run;
            Assert.False(result.TimedOut, $"the cut-off client hung: {result}");
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.StderrLines);
            Assert.StartsWith("migration-cluster: lost contact with the cluster", line, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"\bat [\w.`<>\[\],]+\(", result.Stderr);
            var after = result.Elapsed - partitionedAt;
            // Its ResponseTimeout (8 s), a probe period and the process's exit; never the run call's own 10 minutes.
            Assert.True(after < MultiHostCluster.ImpatientResponseTimeout + TimeSpan.FromSeconds(20), $"took {after.TotalSeconds:0} s after the cut: {result}");
            Timings.Record($"client cut off mid-run gave up ({line}) after", after);
        }
        finally
        {
            await Cluster.Lab.HealAsync(host);
        }

        await AssertCleanRunAsync("after the client's partition mid-run");
    }

    /// <summary>A small run from the client host: exit 0, pages migrated, no invariant broken.</summary>
    private async Task AssertCleanRunAsync(string when)
    {
        var json = Path.Combine(Cluster.Lab.Directory, $"run-{Guid.NewGuid():N}.json");
        var result = await Cluster.CommandAsync(MultiHostCluster.ClientHost, CommandTimeout, ["run", "--cluster", Cluster.ClientDirectory, .. SmallRun, "--json", json]);
        Assert.True(result.ExitCode == 0, $"run {when}: {result}");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.True(document.RootElement.GetProperty("migrated").GetInt32() > 0, $"run {when} migrated nothing");
        Timings.Record($"clean run {when}", result.Elapsed);
    }

    private async Task<(bool Ok, string Text, JsonElement Nodes)> ReadNodesAsync()
    {
        var curl = await Cluster.Lab.RunAsync(MultiHostCluster.ClientHost, TimeSpan.FromSeconds(20), "curl", "-s", "-m", "10", "-w", "\n%{http_code}", "http://127.0.0.1:18080/api/nodes");
        var text = curl.Stdout.TrimEnd();
        var split = text.LastIndexOf('\n');
        if (curl.ExitCode != 0 || split < 0 || text[(split + 1)..] != "200")
        {
            return (false, curl.ToString(), default);
        }
        using var document = JsonDocument.Parse(text[..split]);
        var root = document.RootElement;
        var nodes = (root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("nodes")).Clone();
        var failed = nodes.EnumerateArray().Where(n => n.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String).ToList();
        var ok = nodes.GetArrayLength() > 0 && failed.Count == 0;
        return (ok, text[..split], nodes);
    }

    /// <summary>The dashboard's client connected and every node grain answering, on every silo host.</summary>
    private async Task WaitForNodesAsync(LabProcess dashboard, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(dashboard.HasExited, $"the dashboard ended: {dashboard.Log}");
            var nodes = await ReadNodesAsync();
            if (nodes.Ok)
            {
                var silos = nodes.Nodes.EnumerateArray().Select(n => n.GetProperty("silo").GetString() ?? "").ToList();
                Assert.All(MultiHostCluster.SiloHosts, h => Assert.Contains(silos, s => s.Contains(Cluster.Lab.AddressOf(h), StringComparison.Ordinal)));
                return;
            }
            Assert.True(clock.Elapsed < timeout, $"the dashboard did not show the nodes within {timeout.TotalSeconds:0} s: {nodes.Text} {dashboard.Log}");
            await Task.Delay(500);
        }
    }

    private static string Tail(string log) => log.Length <= 3000 ? log : log[^3000..];
}
