namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// The membership table's version. A writer reads the table, then passes <see cref="Next"/> of
/// the version it read to <see cref="IMembershipTable.InsertRow"/> or
/// <see cref="IMembershipTable.UpdateRow"/>: the write succeeds only if nobody changed the table
/// in between (the etag is still the one read, and the version is one more than the one read).
/// </summary>
public sealed record TableVersion(int Version, string VersionEtag)
{
    /// <summary>The version a write based on this read installs; it keeps this version's etag for the check.</summary>
    public TableVersion Next() => new(Version + 1, VersionEtag);

    public override string ToString() => $"<{Version}, {VersionEtag}>";
}
