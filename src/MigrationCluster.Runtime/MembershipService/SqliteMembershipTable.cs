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
public sealed class SqliteMembershipTable : SqlMembershipTable
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public SqliteMembershipTable(SqliteMembershipTableOptions options, TimeProvider? timeProvider = null)
        : base(Validated(options).ClusterId, timeProvider)
    {
        _busyTimeoutMs = (int)Math.Min(int.MaxValue, options.BusyTimeout.TotalMilliseconds);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(options.FilePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    private static SqliteMembershipTableOptions Validated(SqliteMembershipTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    public override async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await using var connection = await OpenSqliteAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;").ConfigureAwait(false);
        await ExecuteAsync(connection, MembershipSql.CreateSchema("INTEGER")).ConfigureAwait(false);
        if (tryInitTableVersion)
        {
            await MembershipSql.InitVersionAsync(connection, ClusterId, TimeProvider.GetUtcNow()).ConfigureAwait(false);
        }
    }

    protected override async Task<DbConnection> OpenAsync() => await OpenSqliteAsync().ConfigureAwait(false);

    /// <summary>BEGIN IMMEDIATE: the file's write lock up front, so two writers never both read the old version.</summary>
    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    private async Task<SqliteConnection> OpenSqliteAsync()
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
