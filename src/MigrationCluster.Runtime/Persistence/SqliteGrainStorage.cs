using System.Globalization;
using MigrationCluster.Runtime.Core;
using Microsoft.Data.Sqlite;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>
/// Grain state in a SQLite file (the embedded default). WAL journal with synchronous=FULL, so a
/// write that returned survives a crash; each write is a compare-and-swap on the ETag column.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _initialized = new(1, 1);
    private bool _ready;

    public SqliteGrainStorage(SqliteGrainStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.FilePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)options.BusyTimeout.TotalSeconds,
        }.ToString();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }
        if (!_ready)
        {
            await _initialized.WaitAsync(cancellationToken);
            try
            {
                if (!_ready)
                {
                    using var create = connection.CreateCommand();
                    create.CommandText = """
                        PRAGMA journal_mode=WAL;
                        CREATE TABLE IF NOT EXISTS grain_state (
                            grain_type TEXT NOT NULL,
                            grain_key  TEXT NOT NULL,
                            state_name TEXT NOT NULL,
                            etag       INTEGER NOT NULL,
                            payload    BLOB NOT NULL,
                            PRIMARY KEY (grain_type, grain_key, state_name));
                        """;
                    await create.ExecuteNonQueryAsync(cancellationToken);
                    _ready = true;
                }
            }
            finally
            {
                _initialized.Release();
            }
        }
        return connection;
    }

    public async Task<StoredState?> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, etag FROM grain_state WHERE grain_type = $type AND grain_key = $key AND state_name = $name";
        AddKey(command, grainId, stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var payload = (byte[])reader.GetValue(0);
        return new StoredState(payload, reader.GetInt64(1).ToString(CultureInfo.InvariantCulture));
    }

    public async Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> payload, string? expectedEtag, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        AddKey(command, grainId, stateName);
        command.Parameters.AddWithValue("$payload", payload.ToArray());
        long newEtag;
        if (expectedEtag is null)
        {
            newEtag = 1;
            command.CommandText = "INSERT INTO grain_state (grain_type, grain_key, state_name, etag, payload) VALUES ($type, $key, $name, 1, $payload) ON CONFLICT DO NOTHING";
        }
        else
        {
            var expected = ParseEtag(expectedEtag);
            newEtag = expected + 1;
            command.CommandText = "UPDATE grain_state SET payload = $payload, etag = $new WHERE grain_type = $type AND grain_key = $key AND state_name = $name AND etag = $expected";
            command.Parameters.AddWithValue("$expected", expected);
            command.Parameters.AddWithValue("$new", newEtag);
        }
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            var stored = await ReadAsync(grainId, stateName, cancellationToken);
            throw new InconsistentStateException(grainId, stateName, expectedEtag, stored?.Etag);
        }
        return newEtag.ToString(CultureInfo.InvariantCulture);
    }

    public async Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken)
    {
        if (expectedEtag is null)
        {
            var stored = await ReadAsync(grainId, stateName, cancellationToken);
            if (stored is not null)
            {
                throw new InconsistentStateException(grainId, stateName, null, stored.Etag);
            }
            return;
        }
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM grain_state WHERE grain_type = $type AND grain_key = $key AND state_name = $name AND etag = $expected";
        AddKey(command, grainId, stateName);
        command.Parameters.AddWithValue("$expected", ParseEtag(expectedEtag));
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            var stored = await ReadAsync(grainId, stateName, cancellationToken);
            throw new InconsistentStateException(grainId, stateName, expectedEtag, stored?.Etag);
        }
    }

    private static void AddKey(SqliteCommand command, GrainId grainId, string stateName)
    {
        command.Parameters.AddWithValue("$type", grainId.Type);
        command.Parameters.AddWithValue("$key", grainId.Key);
        command.Parameters.AddWithValue("$name", stateName);
    }

    private static long ParseEtag(string etag) => long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new InconsistentStateException($"'{etag}' is not an ETag of the SQLite grain storage.");
}
