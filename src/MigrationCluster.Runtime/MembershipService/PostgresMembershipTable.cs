using System.Data;
using System.Data.Common;
using Npgsql;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// A membership table in PostgreSQL (Npgsql). Every compare-and-swap is one read-committed
/// transaction that first updates the cluster's version row conditionally: concurrent writers
/// queue on that row's lock, and all but the first find the version changed and fail cleanly.
/// Several clusters share the tables, keyed by cluster id.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable, IAsyncDisposable, IDisposable
{
    // Serializes concurrent CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make race-free.
    private const long SchemaLockKey = 0x4D43_4D45_4D42; // "MCMEMB"

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _clusterId;
    private readonly TimeProvider _timeProvider;

    public PostgresMembershipTable(PostgresMembershipTableOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _clusterId = options.ClusterId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using (var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false))
        {
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
            {
                command.Parameters.AddWithValue("key", SchemaLockKey);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await using (var command = new NpgsqlCommand(MembershipSql.CreateSchema("BIGINT"), connection, transaction))
            {
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        if (tryInitTableVersion)
        {
            await MembershipSql.InitVersionAsync(connection, _clusterId, _timeProvider.GetUtcNow()).ConfigureAwait(false);
        }
    }

    public async Task<MembershipTableData> ReadAll()
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        return await MembershipSql.ReadAsync(connection, null, _clusterId, null).ConfigureAwait(false);
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
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
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
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

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    /// <summary>Runs <paramref name="body"/> in one transaction; commits when it returns true, else rolls back.</summary>
    private async Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> body)
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted).ConfigureAwait(false);
        if (await body(connection, transaction).ConfigureAwait(false))
        {
            await transaction.CommitAsync().ConfigureAwait(false);
            return true;
        }

        await transaction.RollbackAsync().ConfigureAwait(false);
        return false;
    }
}
