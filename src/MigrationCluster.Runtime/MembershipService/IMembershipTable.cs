namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// The membership table, Orleans' contract: rows per silo with etags, plus one table version per
/// cluster. Every write that changes membership bumps the version in the same transaction as the
/// row change, and succeeds only when the caller's view is current (compare-and-swap), so silos
/// that race to change membership serialize through the table.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Creates the storage if needed; with <paramref name="tryInitTableVersion"/>, also the cluster's version row (version 0) if missing.</summary>
    Task InitializeMembershipTable(bool tryInitTableVersion);

    Task<MembershipTableData> ReadAll();

    /// <summary>The table version and the row of <paramref name="key"/> (no rows when absent).</summary>
    Task<MembershipTableData> ReadRow(SiloAddress key);

    /// <summary>
    /// Inserts a row and installs <paramref name="tableVersion"/> (the <see cref="TableVersion.Next"/>
    /// of the version read). False when the version is stale or the silo already has a row.
    /// </summary>
    Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion);

    /// <summary>
    /// Replaces a row and installs <paramref name="tableVersion"/>. False when the row's etag is not
    /// <paramref name="etag"/> any more, the row is missing, or the table version is stale.
    /// </summary>
    Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion);

    /// <summary>Writes only <see cref="MembershipEntry.IAmAliveTime"/>: no version bump, the row's etag unchanged.</summary>
    Task UpdateIAmAlive(MembershipEntry entry);

    /// <summary>Removes every row and the version of <paramref name="clusterId"/>.</summary>
    Task DeleteMembershipTableEntries(string clusterId);

    /// <summary>
    /// Removes rows of silos that are not Active and whose last heartbeat is older than
    /// <paramref name="beforeDate"/>; bumps the version when it removed any.
    /// </summary>
    Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate);
}
