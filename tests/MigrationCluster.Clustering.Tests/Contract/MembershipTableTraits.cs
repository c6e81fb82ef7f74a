namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// What a provider promises beyond the part of <see cref="Orleans.IMembershipTable"/>'s contract
/// that Orleans' membership protocol relies on. The contract suite asserts that part of every
/// provider, and each of these where the provider declares it (and the weaker behaviour where it
/// does not, so a change either way shows).
/// </summary>
[Flags]
public enum MembershipTableTraits
{
    /// <summary>Only what the protocol relies on: the table version guards every write.</summary>
    None = 0,

    /// <summary>
    /// InsertRow stores every field of the entry and UpdateRow replaces every field, as the
    /// interface documents. Orleans' ADO.NET provider binds only what its protocol changes: on
    /// insert the silo's address, names, status, ports and times (no suspicions, role or zones);
    /// on update the status, suspicions and alive time. (The protocol inserts a joining silo with
    /// no suspicions and never changes the other fields.)
    /// </summary>
    WholeEntries = 1,

    /// <summary>
    /// A row's etag changes only when that row is written. Orleans' Redis and ADO.NET providers
    /// give every row the table version's etag, so any write makes every row's etag stale.
    /// </summary>
    PerRowEtags = 2,

    /// <summary>
    /// CleanupDefunctSiloEntries removes old rows of every status but Active, not only the Dead
    /// ones the interface names (a silo that died while joining leaves no Dead row).
    /// </summary>
    CleanupOfEveryInactiveStatus = 4,

    All = WholeEntries | PerRowEtags | CleanupOfEveryInactiveStatus,
}
