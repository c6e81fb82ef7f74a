using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Testing;
using static MigrationCluster.Runtime.Tests.Cluster.ClusterTestSetup;

namespace MigrationCluster.Runtime.Tests.Cluster;

[Collection(ClusterTestCollection.Name)]
public sealed class SiloFailureTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-cluster-" + Guid.NewGuid().ToString("N"));

    public SiloFailureTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Killed_silo_is_declared_dead_its_in_flight_calls_fail_fast_and_its_grains_come_back_elsewhere_with_their_state()
    {
        var stateFile = Path.Combine(_directory, "grain-state.db");
        var options = Options(configure: b => b.AddSqliteGrainStorage(o => o.FilePath = stateFile));
        await using var cluster = await TestCluster.StartAsync(options);
        var table = cluster.CreateMembershipTable();

        // Durable grains spread over the silos, each written twice.
        var keys = Enumerable.Range(0, 24).Select(i => $"ledger-{i}").ToList();
        var homes = new Dictionary<string, string>();
        foreach (var key in keys)
        {
            var grain = cluster.Primary.GrainFactory.GetGrain<IDurableGrain>(key);
            await grain.Add("one");
            await grain.Add("two");
            homes[key] = await grain.WhereAmI();
        }
        var victimTag = homes.Values.GroupBy(t => t).OrderByDescending(g => g.Count()).First().Key;
        var victim = SiloWithTag(cluster, victimTag);
        var victimAddress = victim.SiloAddress!;
        var survivor = cluster.Silos.First(s => s != victim);

        // A call in flight on the victim when it dies: a grain placed there that sleeps past the kill.
        var sleeper = survivor.GrainFactory.GetGrain<ILocatedGrain>(Random.Shared.NextInt64(2000, long.MaxValue));
        while (await sleeper.WhereAmI() != victimTag)
        {
            sleeper = survivor.GrainFactory.GetGrain<ILocatedGrain>(Random.Shared.NextInt64(2000, long.MaxValue));
        }
        var inFlight = sleeper.Sleep(60_000);
        await Task.Delay(100);

        await cluster.KillSiloAsync(victim);

        // The response timeout is 30 s and the grain sleeps 60 s: only the broken connection can end this call.
        var failure = await Assert.ThrowsAsync<SiloUnavailableException>(() => inFlight);
        Assert.Contains(victimAddress.ToString(), failure.Message);
        Assert.False(inFlight.IsCanceled);

        // Declared dead by the others' votes, within a generous multiple of the configured detection time.
        await EventuallyAsync(async () => await StatusInTableAsync(table, victimAddress) == SiloStatus.Dead, $"{victimAddress} declared Dead", options.Membership.DeathDetectionTime * 10);
        var row = (await table.ReadAll()).TryGet(victimAddress)!.Value.Entry;
        Assert.NotEmpty(row.SuspectTimes);
        Assert.All(row.SuspectTimes, v => Assert.NotEqual(victimAddress, v.Suspecter));
        await cluster.WaitForLivenessToStabilizeAsync();

        // Its grains activate on the survivors at their next call and read their state back.
        foreach (var key in keys)
        {
            var grain = survivor.GrainFactory.GetGrain<IDurableGrain>(key);
            var state = await grain.Get();
            Assert.Equal(2, state.Value);
            Assert.Equal(["one", "two"], state.Notes);
            var now = await grain.WhereAmI();
            Assert.NotEqual(victimTag, now);
            if (homes[key] != victimTag)
            {
                Assert.Equal(homes[key], now);
            }
        }
        Assert.Equal(3, await cluster.Client.GetGrain<IDurableGrain>(keys[0]).Add("three"));
    }

    [Fact]
    public async Task Calls_to_a_dead_silo_fail_fast_instead_of_timing_out()
    {
        var options = Options();
        options.Membership.ProbeTimeout = TimeSpan.FromSeconds(30); // detection is far away: only the transport can tell
        options.Membership.DeathVoteExpirationTimeout = TimeSpan.FromMinutes(5);
        await using var cluster = await TestCluster.StartAsync(options);
        var caller = cluster.Silos[0];
        var callee = cluster.Silos[1];
        var calleeTag = TagOf(callee);
        long key = 0;
        while (await caller.GrainFactory.GetGrain<INumaPlacedGrain>(key).WhereAmI() != calleeTag)
        {
            key++;
        }
        await cluster.KillSiloAsync(callee);
        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => caller.GrainFactory.GetGrain<INumaPlacedGrain>(key).WhereAmI());
        Assert.Contains(callee.SiloAddress!.ToString(), error.Message);

        // The client still lists the dead silo as a gateway (nobody declared it dead yet): its calls go to the others.
        // (Grains whose directory entry the dead silo owned cannot be resolved until it is declared dead: skip those.)
        var ring = caller.ClusterView.Ring;
        var keys = Enumerable.Range(100, 200).Where(k => !callee.SiloAddress!.Equals(ring.GetOwner(Core.GrainId.Create("preferlocal", k)))).Take(12).ToList();
        Assert.Equal(12, keys.Count);
        foreach (var k in keys)
        {
            Assert.NotEqual(calleeTag, await cluster.Client.GetGrain<IPreferLocalGrain>(k).WhereAmI());
        }
    }

    [Fact]
    public async Task A_silo_that_reads_itself_dead_stops_serving()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var table = cluster.CreateMembershipTable();
        var doomed = cluster.Silos[1];
        var data = await table.ReadAll();
        var (entry, etag) = data.TryGet(doomed.SiloAddress!)!.Value;
        var dead = entry.Clone();
        dead.Status = SiloStatus.Dead;
        Assert.True(await table.UpdateRow(dead, etag, data.Version.Next()));
        await doomed.Terminated.WaitAsync(Patience);
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(table, doomed.SiloAddress!));
    }
}
