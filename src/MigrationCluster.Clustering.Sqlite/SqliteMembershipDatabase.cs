using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Opens connections to the membership file the one way every operation needs them: a busy
/// timeout so a writer queues behind another process's lock instead of failing, and write
/// transactions that take the lock up front.
/// </summary>
internal sealed class SqliteMembershipDatabase
{
    private readonly string? _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    /// <summary>
    /// Never throws for a missing path: Orleans constructs providers before it runs the
    /// configuration validators, and the validator's one-line message is the one to show.
    /// </summary>
    public SqliteMembershipDatabase(SqliteClusteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _busyTimeoutMilliseconds = (int)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 1, int.MaxValue);
        if (string.IsNullOrWhiteSpace(options.FilePath))
        {
            return;
        }

        FilePath = Path.GetFullPath(options.FilePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Membership traffic is a few statements a second at most; without a pool no file
            // handle outlives a call, so the file can be deleted or moved once silos stop.
            Pooling = false,
            // Microsoft.Data.Sqlite's own retry on SQLITE_BUSY is bounded by the command timeout.
            DefaultTimeout = (int)Math.Ceiling(_busyTimeoutMilliseconds / 1000.0),
        }.ToString();
    }

    /// <summary>The full path of the membership file; null when the options name none.</summary>
    public string? FilePath { get; }

    public SqliteConnection Open()
    {
        if (_connectionString is null || FilePath is null)
        {
            throw new InvalidOperationException(
                $"{nameof(SqliteClusteringOptions)}.{nameof(SqliteClusteringOptions.FilePath)} is required: the path of the SQLite file that holds the membership table.");
        }

        var directory = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // SQLite's busy handler: wait for another writer's lock rather than fail at once.
            Execute(connection, null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds};"));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Puts the file in WAL mode (a persistent setting: the first caller switches it) and returns
    /// the journal mode now in force, which stays "delete" where WAL is unavailable.
    /// </summary>
    public static string? EnableWriteAheadLog(SqliteConnection connection)
    {
        using var command = Command(connection, null, "PRAGMA journal_mode = WAL;");
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// BEGIN IMMEDIATE: takes the file's write lock before the first read, so two writers (in any
    /// process) can never both see the same table version and both commit a change based on it.
    /// </summary>
    public static SqliteTransaction BeginWrite(SqliteConnection connection) => connection.BeginTransaction(deferred: false);

    /// <summary>A deferred transaction: in WAL mode its statements all read one snapshot, and it never blocks a writer.</summary>
    public static SqliteTransaction BeginRead(SqliteConnection connection) => connection.BeginTransaction(deferred: true);

    public static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL text comes from SqliteMembershipSql constants; values travel as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
