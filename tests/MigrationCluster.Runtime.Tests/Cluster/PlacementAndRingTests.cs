using System.Net;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.GrainDirectory;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Placement;

namespace MigrationCluster.Runtime.Tests.Cluster;

public sealed class PlacementAndRingTests
{
    private static SiloAddress Silo(int port) => new(new IPEndPoint(IPAddress.Loopback, port), 1);

    private static readonly SiloAddress[] Five = [.. Enumerable.Range(0, 5).Select(i => Silo(11111 + i))];

    private static PlacementContext Context(GrainId grain, SiloAddress requester, IReadOnlyDictionary<SiloAddress, int>? counts = null) =>
        new(grain, requester, [.. Five.OrderBy(s => s.ToString(), StringComparer.Ordinal)], counts ?? new Dictionary<SiloAddress, int>());

    [Fact]
    public void Ring_is_the_same_whatever_the_order_silos_are_given_in()
    {
        var a = new ConsistentHashRing(Five);
        var b = new ConsistentHashRing(Five.Reverse());
        for (var i = 0; i < 1000; i++)
        {
            var grain = GrainId.Create("g", i);
            Assert.Equal(a.GetOwner(grain), b.GetOwner(grain));
        }
    }

    [Fact]
    public void Ring_spreads_entries_and_a_leaving_silo_moves_only_its_own()
    {
        var full = new ConsistentHashRing(Five);
        var shrunk = new ConsistentHashRing(Five.Skip(1));
        var owners = Enumerable.Range(0, 5000).Select(i => GrainId.Create("g", i)).ToDictionary(g => g, g => full.GetOwner(g)!);
        foreach (var group in owners.GroupBy(o => o.Value))
        {
            // 30 virtual nodes each: no silo gets less than half or more than twice its fair share.
            Assert.InRange(group.Count(), 500, 2000);
        }
        foreach (var (grain, owner) in owners)
        {
            if (!owner.Equals(Five[0]))
            {
                Assert.Equal(owner, shrunk.GetOwner(grain));
            }
        }
        Assert.Null(new ConsistentHashRing([]).GetOwner(GrainId.Create("g", 1)));
    }

    [Fact]
    public void Numa_node_placement_is_round_robin_over_sorted_silos()
    {
        var placement = new NumaNodePlacement();
        var sorted = Context(GrainId.Create("n", 0), Five[0]).ActiveSilos;
        for (var node = 0; node < 20; node++)
        {
            Assert.Equal(sorted[node % 5], placement.Place(Context(GrainId.Create("numanode", node), Five[0])));
        }
        Assert.Equal(sorted[4], placement.Place(Context(GrainId.Create("numanode", -1), Five[0])));
    }

    [Fact]
    public void Prefer_local_hash_and_activation_count_strategies_choose_as_documented()
    {
        var grain = GrainId.Create("g", "k");
        Assert.Equal(Five[3], new PreferLocalPlacement().Place(Context(grain, Five[3])));
        var hashed = new HashBasedPlacement().Place(Context(grain, Five[0]));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(hashed, new HashBasedPlacement().Place(Context(grain, Five[1]))));

        // Of two candidates the less loaded wins: with two silos always the empty one, and the most loaded silo never.
        var two = new PlacementContext(grain, Five[0], [Five[0], Five[1]], new Dictionary<SiloAddress, int> { [Five[0]] = 50, [Five[1]] = 0 });
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(Five[1], new ActivationCountPlacement().Place(two)));
        var counts = Five.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i == 4 ? 1000 : x.i);
        var chosen = Enumerable.Range(0, 200).Select(_ => new ActivationCountPlacement().Place(Context(grain, Five[0], counts))).ToList();
        Assert.DoesNotContain(Five[4], chosen);
        Assert.True(chosen.Distinct().Count() > 1);
    }

    [Fact]
    public void Director_uses_override_then_attribute_then_default_and_rejects_unknown_names()
    {
        var types = new Catalog.GrainTypeRegistry();
        types.AddAssembly(typeof(PlacementAndRingTests).Assembly);
        var director = new PlacementDirector(types, new Dictionary<string, string> { ["located"] = PlacementStrategyNames.HashBased });
        Assert.Equal(PlacementStrategyNames.HashBased, director.StrategyNameOf("located"));
        Assert.Equal(PlacementStrategyNames.NumaNode, director.StrategyNameOf("numaplaced"));
        Assert.Equal(PlacementStrategyNames.Default, director.StrategyNameOf("durable"));
        var error = Assert.Throws<ArgumentException>(() => new PlacementDirector(types, new Dictionary<string, string> { ["located"] = "nearest-star" }));
        Assert.Contains("nearest-star", error.Message);
    }

    [Fact]
    public void Membership_options_default_to_orleans_values_and_validate()
    {
        var options = new ClusterMembershipOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), options.ProbeTimeout);
        Assert.Equal(3, options.NumMissedProbesLimit);
        Assert.Equal(2, options.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(30), options.IAmAliveTablePublishTimeout);
        options.Validate();
        var error = Assert.Throws<OptionsValidationException>(() => new ClusterMembershipOptions { NumVotesForDeathDeclaration = 0 }.Validate());
        Assert.Contains(nameof(ClusterMembershipOptions.NumVotesForDeathDeclaration), error.Message);
        Assert.Throws<OptionsValidationException>(() => new ClusterMembershipOptions { ProbeTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<OptionsValidationException>(() => new ClusterMembershipOptions { DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10) }.Validate());
        Assert.Throws<OptionsValidationException>(() => new ClusterOptions().Validate());
    }
}
