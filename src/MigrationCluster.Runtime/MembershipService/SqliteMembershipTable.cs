using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// A membership table in a SQLite file that several silo processes share: WAL mode so readers
/// never block the writer, a busy timeout so writers queue instead of failing, and every
/// compare-and-swap in a <c>BEGIN IMMEDIATE</c> transaction, which takes the file's write lock
/// up front so two writers can never both read the old version and both commit.
/// </summary>
public sealed class SqliteMembershipTable : IMembershipTable
{
    private readonly string _connectionString;
    private readonly string _clusterId;
    private readonly int _busyTimeoutMs;
    private readonly TimeProvider _timeProvider;

    public SqliteMembershipTable(SqliteMembershipTableOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _clusterId = options.ClusterId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, options.BusyTimeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(options.FilePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        await ExecuteAsync(connection, MembershipSql.CreateSchema("INTEGER")).ConfigureAwait(false);
        if (tryInitTableVersion)
        {
            await MembershipSql.InitVersionAsync(connection, _clusterId, _timeProvider.GetUtcNow()).ConfigureAwait(false);
        }
    }

    public async Task<MembershipTableData> ReadAll()
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        return await MembershipSql.ReadAsync(connection, null, _clusterId, null).ConfigureAwait(false);
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync().ConfigureAwait(false);
        return await MembershipSql.ReadAsync(connection, null, _clusterId, key).ConfigureAwait(false);
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return WriteAsync(async (connection, transaction) =>
            await MembershipSql.TryAdvanceVersionAsync(connection, transaction, _clusterId, tableVersion, _timeProvider.GetUtcNow()).ConfigureAwait(false)
            && await MembershipSql.InsertRowAsync(connection, transaction, _clusterId, entry).ConfigureAwait(false));
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return WriteAsync(async (connection, transaction) =>
            await MembershipSql.TryAdvanceVersionAsync(connection, transaction, _clusterId, tableVersion, _timeProvider.GetUtcNow()).ConfigureAwait(false)
            && await MembershipSql.UpdateRowAsync(connection, transaction, _clusterId, entry, etag).ConfigureAwait(false));
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await MembershipSql.UpdateIAmAliveAsync(connection, _clusterId, entry).ConfigureAwait(false);
    }

    public Task DeleteMembershipTableEntries(string clusterId)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        return WriteAsync(async (connection, transaction) =>
        {
            await MembershipSql.DeleteClusterAsync(connection, transaction, clusterId).ConfigureAwait(false);
            return true;
        });
    }

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) =>
        WriteAsync(async (connection, transaction) =>
            await MembershipSql.DeleteDefunctAsync(connection, transaction, _clusterId, beforeDate, _timeProvider.GetUtcNow()).ConfigureAwait(false) > 0);

    /// <summary>Runs <paramref name="body"/> in a BEGIN IMMEDIATE transaction; commits when it returns true, else rolls back.</summary>
    private async Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> body)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        if (await body(connection, transaction).ConfigureAwait(false))
        {
            await transaction.CommitAsync().ConfigureAwait(false);
            return true;
        }

        await transaction.RollbackAsync().ConfigureAwait(false);
        return false;
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync().ConfigureAwait(false);
            // SQLite's own busy handler: a writer waits for the lock rather than failing with SQLITE_BUSY.
            await ExecuteAsync(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={_busyTimeoutMs};")).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Only constant DDL and pragmas.")]
    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
