using System.Reflection;
using System.Text;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Testing;

/// <summary>How a <see cref="TestCluster"/> is built. Failure detection defaults to short test timings.</summary>
public sealed class TestClusterOptions
{
    public const int DefaultInitialSilosCount = 3;

    public int InitialSilosCount { get; set; } = DefaultInitialSilosCount;

    public string ClusterId { get; set; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The shared key (any 16+ bytes); a fixed test key unless set.</summary>
    public byte[] ClusterKey { get; set; } = Encoding.UTF8.GetBytes("test cluster key: not a secret!!");

    public IList<Assembly> GrainAssemblies { get; } = [];

    /// <summary>
    /// Short timings: a silo is declared dead a few seconds after it stops answering. A probe may
    /// still take a second, so a loaded test machine is not mistaken for a dead silo.
    /// </summary>
    public ClusterMembershipOptions Membership { get; set; } = new()
    {
        ProbeTimeout = TimeSpan.FromSeconds(1),
        NumMissedProbesLimit = 3,
        NumVotesForDeathDeclaration = 2,
        IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1),
        TableRefreshTimeout = TimeSpan.FromMilliseconds(250),
        DeathVoteExpirationTimeout = TimeSpan.FromSeconds(20),
        JoinTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Makes each silo's membership table. Default: one in-memory store shared by all silos of the cluster.</summary>
    public Func<string, IMembershipTable>? MembershipTableFactory { get; set; }

    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Anything else per silo: grain storage, placement overrides, logging.</summary>
    public Action<SiloBuilder>? ConfigureSilo { get; set; }

    /// <summary>Adjusts the cluster options of each silo (after the defaults above are applied).</summary>
    public Action<ClusterOptions>? ConfigureCluster { get; set; }

    /// <summary>How long <see cref="TestCluster.WaitForLivenessToStabilizeAsync"/> waits before it gives up.</summary>
    public TimeSpan StabilizationPatience { get; set; } = TimeSpan.FromSeconds(60);
}
