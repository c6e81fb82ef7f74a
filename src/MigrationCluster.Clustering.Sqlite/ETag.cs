namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Fresh etags for rows and table versions: random, so no etag is ever reused, not even after a
/// cluster's rows are deleted and recreated, and no stale writer can match a newer row by chance.
/// </summary>
internal static class ETag
{
    public static string New() => Guid.NewGuid().ToString("N");
}
