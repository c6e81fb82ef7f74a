using System.Data.Common;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// What the SQL providers share: every read and compare-and-swap, written once over
/// <see cref="MembershipSql"/>. A provider says how to open a connection and how to begin a
/// write transaction that serializes writers (its database's own way of doing so).
/// </summary>
public abstract class SqlMembershipTable : IMembershipTable
{
    protected SqlMembershipTable(string clusterId, TimeProvider? timeProvider)
    {
        ClusterId = clusterId;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    protected string ClusterId { get; }

    protected TimeProvider TimeProvider { get; }

    public abstract Task InitializeMembershipTable(bool tryInitTableVersion);

    protected abstract Task<DbConnection> OpenAsync();

    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection);

    public async Task<MembershipTableData> ReadAll()
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        return await MembershipSql.ReadAsync(connection, null, ClusterId, null).ConfigureAwait(false);
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync().ConfigureAwait(false);
        return await MembershipSql.ReadAsync(connection, null, ClusterId, key).ConfigureAwait(false);
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return WriteAsync(async (connection, transaction) =>
            await MembershipSql.TryAdvanceVersionAsync(connection, transaction, ClusterId, tableVersion, TimeProvider.GetUtcNow()).ConfigureAwait(false)
            && await MembershipSql.InsertRowAsync(connection, transaction, ClusterId, entry).ConfigureAwait(false));
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        ArgumentNullException.ThrowIfNull(tableVersion);
        return WriteAsync(async (connection, transaction) =>
            await MembershipSql.TryAdvanceVersionAsync(connection, transaction, ClusterId, tableVersion, TimeProvider.GetUtcNow()).ConfigureAwait(false)
            && await MembershipSql.UpdateRowAsync(connection, transaction, ClusterId, entry, etag).ConfigureAwait(false));
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await MembershipSql.UpdateIAmAliveAsync(connection, ClusterId, entry).ConfigureAwait(false);
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
            await MembershipSql.DeleteDefunctAsync(connection, transaction, ClusterId, beforeDate, TimeProvider.GetUtcNow()).ConfigureAwait(false) > 0);

    /// <summary>Runs <paramref name="body"/> in one write transaction; commits when it returns true, else rolls back.</summary>
    private async Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> body)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        await using var transaction = await BeginWriteAsync(connection).ConfigureAwait(false);
        if (await body(connection, transaction).ConfigureAwait(false))
        {
            await transaction.CommitAsync().ConfigureAwait(false);
            return true;
        }

        await transaction.RollbackAsync().ConfigureAwait(false);
        return false;
    }
}
