namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Where the SQLite membership file lives and how long a writer waits for another writer's lock.
/// One file may hold several clusters: rows are scoped by <c>ClusterOptions.ClusterId</c>.
/// </summary>
public sealed class SqliteClusteringOptions
{
    /// <summary>Milliseconds a connection waits for the file's write lock before giving up (<see cref="BusyTimeout"/>).</summary>
    public const int DefaultBusyTimeoutMilliseconds = 5_000;

    /// <summary>
    /// The path of the SQLite file that holds the membership table; created if absent.
    /// Every silo and client of the cluster must name the same file (on a local disk: WAL needs
    /// shared memory, which network file systems do not give).
    /// </summary>
    public string? FilePath { get; set; }

    /// <summary>
    /// How long a statement waits for another process's write lock before failing with SQLITE_BUSY.
    /// Membership writes are short, so a few seconds covers any honest contention.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultBusyTimeoutMilliseconds);
}
