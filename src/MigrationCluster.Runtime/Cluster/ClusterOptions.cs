using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>Everything that turns a silo into a cluster member: transport, membership table, failure detection, placement overrides.</summary>
public sealed class ClusterOptions
{
    public static readonly TimeSpan DefaultDirectoryOperationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Listen address/port, cluster id and key. <see cref="NetworkingOptions.ClusterId"/> defaults to the silo's cluster id.</summary>
    public NetworkingOptions Networking { get; set; } = new();

    public ClusterMembershipOptions Membership { get; set; } = new();

    /// <summary>The shared membership table (in-memory store, SQLite file or PostgreSQL).</summary>
    public IMembershipTable? MembershipTable { get; set; }

    /// <summary>Grain type -> placement strategy name, for grain classes whose <c>[Placement]</c> the cluster cannot set.</summary>
    public Dictionary<string, string> PlacementOverrides { get; } = new(StringComparer.Ordinal);

    /// <summary>How long one directory operation on another silo may take.</summary>
    public TimeSpan DirectoryOperationTimeout { get; set; } = DefaultDirectoryOperationTimeout;

    public void Validate()
    {
        if (MembershipTable is null)
        {
            throw new OptionsValidationException($"{nameof(ClusterOptions)}.{nameof(MembershipTable)} is required (in-memory, SQLite or PostgreSQL).");
        }
        if (DirectoryOperationTimeout <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(ClusterOptions)}.{nameof(DirectoryOperationTimeout)} must be positive (was {DirectoryOperationTimeout}).");
        }
        Membership.Validate();
        try
        {
            Networking.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new OptionsValidationException(exception.Message);
        }
    }
}
