using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Testing;
using static MigrationCluster.Runtime.Tests.Cluster.ClusterTestSetup;

namespace MigrationCluster.Runtime.Tests.Cluster;

[Collection(ClusterTestCollection.Name)]
public sealed class ClusterCallTests
{
    [Fact]
    public async Task Three_silos_become_active_and_agree_on_membership()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var table = cluster.CreateMembershipTable();
        var rows = (await table.ReadAll()).Members;
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(SiloStatus.Active, r.Entry.Status));
        Assert.Equal(3, cluster.Silos.Select(s => s.SiloAddress).Distinct().Count());
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(cluster.Silos.Select(s => s.SiloAddress!).OrderBy(a => a.ToString(), StringComparer.Ordinal), silo.ClusterView.ActiveSilos);
        }
    }

    [Fact]
    public async Task Grains_call_each_other_across_silos_and_every_silo_finds_them_in_the_same_place()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        // NUMA placement puts keys 0, 1, 2 on three different silos.
        var homes = new List<string>();
        for (var key = 0; key < 3; key++)
        {
            homes.Add(await cluster.Client.GetGrain<INumaPlacedGrain>(key).WhereAmI());
        }
        Assert.Equal(3, homes.Distinct().Count());

        foreach (var silo in cluster.Silos)
        {
            for (var key = 0; key < 3; key++)
            {
                Assert.Equal(homes[key], await silo.GrainFactory.GetGrain<INumaPlacedGrain>(key).WhereAmI());
            }
        }
        // Grain on silo 0 calls the grain on silo 1: a silo-to-silo call from inside a grain turn.
        Assert.Equal(homes[1], await cluster.Client.GetGrain<INumaPlacedGrain>(0).WhereIsOther(1));
        Assert.Equal(homes[0], await cluster.Client.GetGrain<INumaPlacedGrain>(2).WhereIsOther(0));
    }

    [Fact]
    public async Task Many_concurrent_first_calls_from_every_silo_make_one_activation_per_grain()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var factories = cluster.Silos.Select(s => s.GrainFactory).Append(cluster.Client).ToList();
        var baseKey = Random.Shared.NextInt64(1_000_000, 1_000_000_000);
        const int grains = 40;
        var calls = new List<(long Key, Task<string> Where)>();
        for (var i = 0; i < grains; i++)
        {
            var key = baseKey + i;
            foreach (var factory in factories)
            {
                for (var c = 0; c < 5; c++)
                {
                    calls.Add((key, Task.Run(() => factory.GetGrain<ILocatedGrain>(key).WhereAmI())));
                }
            }
        }
        await Task.WhenAll(calls.Select(c => c.Where));
        foreach (var group in calls.GroupBy(c => c.Key))
        {
            Assert.Single(group.Select(c => c.Where.Result).Distinct());
            Assert.Equal(1, ActivationLedger.CountOf(Core.GrainId.Create("located", group.Key)));
        }
        // Random placement used more than one silo for 40 grains.
        Assert.True(calls.Select(c => c.Where.Result).Distinct().Count() > 1);
        Assert.Equal(grains, cluster.Silos.Sum(s => s.ActivationCount));
    }

    [Fact]
    public async Task Prefer_local_places_the_grain_on_the_calling_silo()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var key = 0L;
        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(TagOf(silo), await silo.GrainFactory.GetGrain<IPreferLocalGrain>(++key).WhereAmI());
        }
    }

    [Fact]
    public async Task Numa_node_placement_spreads_node_keys_evenly_over_the_silos()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var where = new List<string>();
        for (var node = 0; node < 9; node++)
        {
            where.Add(await cluster.Client.GetGrain<INumaPlacedGrain>(node).WhereAmI());
        }
        var perSilo = where.GroupBy(w => w).Select(g => g.Count()).ToList();
        Assert.Equal(3, perSilo.Count);
        Assert.All(perSilo, n => Assert.Equal(3, n));
        // Round-robin: node k and node k+3 share a silo.
        for (var node = 0; node < 6; node++)
        {
            Assert.Equal(where[node], where[node + 3]);
        }
    }

    [Fact]
    public async Task Graceful_stop_marks_the_silo_dead_and_its_grains_move_on_their_next_call()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var table = cluster.CreateMembershipTable();
        var home = await cluster.Client.GetGrain<INumaPlacedGrain>(1).WhereAmI();
        var leaving = SiloWithTag(cluster, home);
        var address = leaving.SiloAddress!;
        await cluster.StopSiloAsync(leaving);
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(table, address));
        await cluster.WaitForLivenessToStabilizeAsync();

        var survivor = cluster.Silos[0];
        var now = await survivor.GrainFactory.GetGrain<INumaPlacedGrain>(1).WhereAmI();
        Assert.NotEqual(home, now);
        Assert.Contains(now, cluster.Silos.Select(TagOf));
    }

    [Fact]
    public async Task Restarted_silo_joins_with_a_new_generation_and_the_old_one_stays_dead()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var table = cluster.CreateMembershipTable();
        var old = cluster.Silos[1];
        var oldAddress = old.SiloAddress!;
        var restarted = await cluster.RestartSiloAsync(old);
        await cluster.WaitForLivenessToStabilizeAsync();
        Assert.NotEqual(oldAddress, restarted.SiloAddress);
        Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(table, oldAddress));
        Assert.Equal(SiloStatus.Active, await StatusInTableAsync(table, restarted.SiloAddress!));
        Assert.Equal(TagOf(restarted), await restarted.GrainFactory.GetGrain<IPreferLocalGrain>(7).WhereAmI());
    }

    [Fact]
    public async Task Exceptions_thrown_on_another_silo_reach_the_caller_with_type_and_message()
    {
        await using var cluster = await TestCluster.StartAsync(Options());
        var error = await Assert.ThrowsAsync<Grains.GrainFailureException>(() => cluster.Client.GetGrain<Grains.IFaultyGrain>("remote").Throw("far away"));
        Assert.Equal("far away", error.Message);
    }

    [Fact]
    public async Task A_silo_joining_moves_directory_ranges_without_duplicating_activations()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var baseKey = Random.Shared.NextInt64(2_000_000_000, 3_000_000_000);
        var keys = Enumerable.Range(0, 60).Select(i => baseKey + i).ToList();
        var before = new Dictionary<long, string>();
        foreach (var key in keys)
        {
            before[key] = await cluster.Client.GetGrain<ILocatedGrain>(key).WhereAmI();
        }
        var joined = await cluster.StartAdditionalSiloAsync();
        await cluster.WaitForLivenessToStabilizeAsync();
        // The new silo owns part of the ring now; asking through it (and every other silo) finds the same activations.
        foreach (var silo in cluster.Silos.OrderBy(s => s == joined ? 0 : 1))
        {
            foreach (var key in keys)
            {
                Assert.Equal(before[key], await silo.GrainFactory.GetGrain<ILocatedGrain>(key).WhereAmI());
            }
        }
        Assert.All(keys, key => Assert.Equal(1, ActivationLedger.CountOf(Core.GrainId.Create("located", key))));
        Assert.Equal(0, joined.ActivationCount);
    }

    [Fact]
    public async Task Cancelling_a_call_to_another_silo_cancels_the_token_the_grain_method_got()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var home = await cluster.Client.GetGrain<IPatientGrain>(1).WhereAmI();
        var caller = cluster.Silos.Single(s => TagOf(s) != home);
        var grain = caller.GrainFactory.GetGrain<IPatientGrain>(1);
        using var cancel = new CancellationTokenSource();
        var call = grain.Wait(cancel.Token);
        await Task.Delay(100);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await EventuallyAsync(() => grain.SawCancellation(), "the remote grain saw its token cancelled");
    }
}
