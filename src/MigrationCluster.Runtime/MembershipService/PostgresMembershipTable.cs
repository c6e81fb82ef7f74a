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
public sealed class PostgresMembershipTable : SqlMembershipTable, IAsyncDisposable, IDisposable
{
    // Serializes concurrent CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make race-free.
    private const long SchemaLockKey = 0x4D43_4D45_4D42; // "MCMEMB"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresMembershipTable(PostgresMembershipTableOptions options, TimeProvider? timeProvider = null)
        : base(Validated(options).ClusterId, timeProvider)
    {
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
    }

    private static PostgresMembershipTableOptions Validated(PostgresMembershipTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    public override async Task InitializeMembershipTable(bool tryInitTableVersion)
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
            await MembershipSql.InitVersionAsync(connection, ClusterId, TimeProvider.GetUtcNow()).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    protected override async Task<DbConnection> OpenAsync() => await _dataSource.OpenConnectionAsync().ConfigureAwait(false);

    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted).ConfigureAwait(false);
    }
}
