namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// The "database" behind <see cref="InMemoryMembershipTable"/>: every table built on the same
/// store sees the same rows, as silos in one process share one SQL database. Holds several
/// clusters, each with its own rows and version.
/// </summary>
public sealed class InMemoryMembershipStore
{
    internal object Gate { get; } = new();

    internal Dictionary<string, ClusterRows> Clusters { get; } = new(StringComparer.Ordinal);

    internal sealed class ClusterRows
    {
        public int Version { get; set; }

        public Dictionary<SiloAddress, (MembershipEntry Entry, long ETag)> Rows { get; } = [];
    }
}
