using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Orleans' <see cref="IMembershipTable"/> over one SQLite file, for a cluster of silo processes on
/// one machine with no database server to install. Orleans ships no file-based membership
/// provider, so this implements Orleans' own interface as a provider package would (compare
/// Orleans.Clustering.AdoNet); failure detection, voting and the protocol stay Orleans'.
/// </summary>
/// <remarks>
/// Every compare-and-swap (<see cref="InsertRowAsync"/>, <see cref="UpdateRowAsync"/>) runs in one
/// <c>BEGIN IMMEDIATE</c> transaction: the version check, the row change and the version bump
/// commit together or not at all, and two writers in any processes can never both win. The file
/// is in WAL mode so that readers (every silo polls the table) never wait for a writer.
/// Microsoft.Data.Sqlite runs synchronously, busy waits included, so each operation runs on the
/// thread pool and never holds an Orleans scheduler turn while it waits for the file's lock.
/// </remarks>
public sealed partial class SqliteMembershipTable : IMembershipTable
{
    private readonly SqliteMembershipDatabase _database;
    private readonly string _clusterId;
    private readonly ILogger _logger;

    public SqliteMembershipTable(
        IOptions<SqliteClusteringOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<SqliteMembershipTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _database = new SqliteMembershipDatabase(options.Value);
        _clusterId = clusterOptions.Value.ClusterId
            ?? throw new ArgumentException($"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ClusterId)} is required.", nameof(clusterOptions));
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>
    /// Creates the schema if the file lacks it and, when asked, this cluster's version row
    /// (version 0). Idempotent, and safe when several processes start at once: the whole step is
    /// one write transaction, and both statements leave what already exists alone.
    /// </summary>
    public Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        using var connection = _database.Open();
        EnsureWriteAheadLog(connection);
        using var transaction = SqliteMembershipDatabase.BeginWrite(connection);
        SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.CreateSchema);
        var created = tryInitTableVersion && SqliteMembershipDatabase.Execute(
            connection, transaction, SqliteMembershipSql.InsertVersionIfAbsent, ("@cluster_id", _clusterId), ("@etag", ETag.New())) == 1;
        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        if (created)
        {
            LogCreatedVersionRow(_clusterId, _database.FilePath);
        }

        return true;
    });

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Run(cancellationToken, () => Read(onlySilo: null));

    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Run(cancellationToken, () => Read(onlySilo: key));
    }

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return Run(cancellationToken, () => CompareAndSwap(tableVersion, entry, cancellationToken, (connection, transaction) =>
            SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.InsertSilo,
                SqliteMembershipRow.Parameters(_clusterId, entry, ETag.New())) == 1));
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return Run(cancellationToken, () => CompareAndSwap(tableVersion, entry, cancellationToken, (connection, transaction) =>
            SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.UpdateSilo,
                [.. SqliteMembershipRow.Parameters(_clusterId, entry, ETag.New()), ("@expected_etag", etag)]) == 1));
    }

    /// <summary>
    /// Sets only the row's IAmAliveTime. The contract says this cannot fail for table reasons, so
    /// a silo without a row (its cluster was deleted) is a no-op, logged at debug level.
    /// </summary>
    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Run(cancellationToken, () =>
        {
            using var connection = _database.Open();
            var updated = SqliteMembershipDatabase.Execute(connection, null, SqliteMembershipSql.UpdateIAmAlive,
                ("@cluster_id", _clusterId),
                ("@silo_address", SqliteMembershipRow.Key(entry.SiloAddress)),
                ("@i_am_alive_time", UtcTimeText.Format(entry.IAmAliveTime)));
            if (updated == 0)
            {
                LogNoRowForIAmAlive(entry.SiloAddress, _clusterId);
            }

            return true;
        });
    }

    /// <summary>Deletes the rows and the version row of <paramref name="clusterId"/> (which need not be this table's own cluster).</summary>
    public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        return Run(cancellationToken, () =>
        {
            using var connection = _database.Open();
            using var transaction = SqliteMembershipDatabase.BeginWrite(connection);
            SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.DeleteCluster, ("@cluster_id", clusterId));
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
            return true;
        });
    }

    /// <summary>
    /// Deletes this cluster's rows that are not Active and were last updated before
    /// <paramref name="beforeDate"/>, where "last updated" is the latest of the start time, the
    /// last IAmAlive and the newest suspicion vote (the vote that declared a silo dead counts, as
    /// in Orleans' own in-memory table). Active rows are never deleted, however old. The table
    /// version is left alone, as Orleans' providers do: removing defunct rows changes no live view.
    /// </summary>
    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        var cutoff = beforeDate.UtcDateTime;
        using var connection = _database.Open();
        using var transaction = SqliteMembershipDatabase.BeginWrite(connection);
        var defunct = new List<string>();
        using (var select = SqliteMembershipDatabase.Command(connection, transaction, SqliteMembershipSql.SelectDefunctCandidates,
            ("@cluster_id", _clusterId), ("@active", (int)SiloStatus.Active)))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                var lastUpdate = LastUpdate(
                    UtcTimeText.Parse(reader.GetString(1)),
                    UtcTimeText.Parse(reader.GetString(2)),
                    SuspectTimesJson.Deserialize(reader.IsDBNull(3) ? null : reader.GetString(3)));
                if (lastUpdate < cutoff)
                {
                    defunct.Add(reader.GetString(0));
                }
            }
        }

        foreach (var silo in defunct)
        {
            SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.DeleteSilo, ("@cluster_id", _clusterId), ("@silo_address", silo));
        }

        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        if (defunct.Count > 0)
        {
            LogDeletedDefunctRows(defunct.Count, _clusterId, beforeDate);
        }

        return true;
    });

    // Orleans 10 marks the token-less members obsolete but still declares them; they are the same operations.
    Task IMembershipTable.InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion);

    Task<MembershipTableData> IMembershipTable.ReadAll() => ReadAllAsync();

    Task<MembershipTableData> IMembershipTable.ReadRow(SiloAddress key) => ReadRowAsync(key);

    Task<bool> IMembershipTable.InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion);

    Task<bool> IMembershipTable.UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion);

    Task IMembershipTable.UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry);

    Task IMembershipTable.DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId);

    Task IMembershipTable.CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate);

    /// <summary>
    /// Runs a synchronous SQLite operation on the thread pool. Cancellation is observed before it
    /// starts and before any commit (a cancelled write then rolls back and has no effect); a wait
    /// for another writer's lock is bounded by the busy timeout rather than by the token.
    /// </summary>
    private static Task<T> Run<T>(CancellationToken cancellationToken, Func<T> operation) => Task.Run(operation, cancellationToken);

    private static DateTime LastUpdate(DateTime startTime, DateTime iAmAliveTime, List<Tuple<SiloAddress, DateTime>>? votes)
    {
        var latest = startTime > iAmAliveTime ? startTime : iAmAliveTime;
        foreach (var (_, voteTime) in votes ?? [])
        {
            var utc = UtcTimeText.ToUtc(voteTime);
            if (utc > latest)
            {
                latest = utc;
            }
        }

        return latest;
    }

    /// <summary>The version and the rows in one read transaction: one snapshot, as the contract asks.</summary>
    private MembershipTableData Read(SiloAddress? onlySilo)
    {
        using var connection = _database.Open();
        using var transaction = SqliteMembershipDatabase.BeginRead(connection);
        var version = ReadVersion(connection, transaction)
            ?? throw new InvalidOperationException(
                $"The SQLite membership file '{_database.FilePath}' has no version row for cluster '{_clusterId}': call InitializeMembershipTableAsync(true) first.");

        var rows = new List<Tuple<MembershipEntry, string>>();
        using (var command = onlySilo is null
            ? SqliteMembershipDatabase.Command(connection, transaction, SqliteMembershipSql.SelectSilos, ("@cluster_id", _clusterId))
            : SqliteMembershipDatabase.Command(connection, transaction, SqliteMembershipSql.SelectSilo,
                ("@cluster_id", _clusterId), ("@silo_address", SqliteMembershipRow.Key(onlySilo))))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(SqliteMembershipRow.Read(reader));
            }
        }

        transaction.Commit();
        return new MembershipTableData(rows, version);
    }

    private TableVersion? ReadVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = SqliteMembershipDatabase.Command(connection, transaction, SqliteMembershipSql.SelectVersion, ("@cluster_id", _clusterId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new TableVersion(reader.GetInt32(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// Installs <paramref name="tableVersion"/> if the stored version etag is still the one it
    /// carries, then applies <paramref name="change"/>; commits only if both matched, else rolls back.
    /// </summary>
    private bool CompareAndSwap(TableVersion tableVersion, MembershipEntry entry, CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction, bool> change)
    {
        using var connection = _database.Open();
        using var transaction = SqliteMembershipDatabase.BeginWrite(connection);
        cancellationToken.ThrowIfCancellationRequested();
        var versionMatched = SqliteMembershipDatabase.Execute(connection, transaction, SqliteMembershipSql.AdvanceVersion,
            ("@cluster_id", _clusterId),
            ("@version", tableVersion.Version),
            ("@new_etag", ETag.New()),
            ("@expected_etag", tableVersion.VersionEtag)) == 1;
        if (!versionMatched)
        {
            transaction.Rollback();
            LogStaleTableVersion(entry.SiloAddress, tableVersion);
            return false;
        }

        if (!change(connection, transaction))
        {
            transaction.Rollback();
            LogRowConflict(entry.SiloAddress, tableVersion);
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        transaction.Commit();
        return true;
    }

    private void EnsureWriteAheadLog(SqliteConnection connection)
    {
        var mode = SqliteMembershipDatabase.EnableWriteAheadLog(connection);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            // Still correct (writers serialize either way), but readers now block writers.
            LogNoWriteAheadLog(_database.FilePath, mode);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership version row of cluster {ClusterId} in {FilePath}")]
    private partial void LogCreatedVersionRow(string clusterId, string? filePath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The SQLite membership file {FilePath} could not switch to WAL (journal mode is {Mode}); readers will block writers")]
    private partial void LogNoWriteAheadLog(string? filePath, string? mode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership write for {Silo} lost: the table version moved past {TableVersion}")]
    private partial void LogStaleTableVersion(SiloAddress silo, TableVersion tableVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership write for {Silo} at {TableVersion} lost: the row exists already, is missing or has another etag")]
    private partial void LogRowConflict(SiloAddress silo, TableVersion tableVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "IAmAlive for {Silo} ignored: cluster {ClusterId} has no row for it")]
    private partial void LogNoRowForIAmAlive(SiloAddress silo, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} defunct membership rows of cluster {ClusterId} last updated before {BeforeDate}")]
    private partial void LogDeletedDefunctRows(int count, string clusterId, DateTimeOffset beforeDate);
}
