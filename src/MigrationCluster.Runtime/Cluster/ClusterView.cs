using MigrationCluster.Runtime.GrainDirectory;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>One reading of the membership table: every silo's status, the active ones sorted, and their directory ring.</summary>
public sealed class ClusterView
{
    public static readonly ClusterView Empty = new(new Dictionary<SiloAddress, SiloStatus>(), -1);

    public ClusterView(IReadOnlyDictionary<SiloAddress, SiloStatus> statuses, int version)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        Statuses = statuses;
        Version = version;
        Ring = new ConsistentHashRing(statuses.Where(s => s.Value == SiloStatus.Active).Select(s => s.Key));
    }

    /// <summary>The table version this view was read at.</summary>
    public int Version { get; }

    public IReadOnlyDictionary<SiloAddress, SiloStatus> Statuses { get; }

    /// <summary>Active silos sorted by address text (the order placement strategies index into).</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos => Ring.Silos;

    public ConsistentHashRing Ring { get; }

    public SiloStatus StatusOf(SiloAddress silo) => Statuses.TryGetValue(silo, out var status) ? status : SiloStatus.None;

    public bool IsActive(SiloAddress silo) => StatusOf(silo) == SiloStatus.Active;

    public bool IsDead(SiloAddress silo) => StatusOf(silo) == SiloStatus.Dead;

    public override string ToString() => $"v{Version}: {string.Join(", ", Statuses.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}";
}
