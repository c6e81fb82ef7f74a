using System.Data.Common;
using System.Globalization;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// The SQL that the SQLite and PostgreSQL providers share. Times are stored as UTC ticks
/// (exact round trip on both engines); etags are integers that grow with every row update;
/// the version etag is the version number itself. Each provider opens connections and
/// transactions its own way (SQLite: BEGIN IMMEDIATE; PostgreSQL: read committed, where the
/// version row's lock serializes writers).
/// </summary>
internal static class MembershipSql
{
    public static string CreateSchema(string bigIntType) => $"""
        CREATE TABLE IF NOT EXISTS membership_version (
            cluster_id TEXT NOT NULL PRIMARY KEY,
            version {bigIntType} NOT NULL,
            updated_ticks {bigIntType} NOT NULL);
        CREATE TABLE IF NOT EXISTS membership_silo (
            cluster_id TEXT NOT NULL,
            address TEXT NOT NULL,
            status INTEGER NOT NULL,
            silo_name TEXT NOT NULL,
            host_name TEXT NOT NULL,
            process_id INTEGER NOT NULL,
            proxy_port INTEGER NOT NULL,
            start_ticks {bigIntType} NOT NULL,
            i_am_alive_ticks {bigIntType} NOT NULL,
            suspect_times TEXT NOT NULL,
            etag {bigIntType} NOT NULL,
            PRIMARY KEY (cluster_id, address));
        """;

    // One statement, so that the version and the rows come from the same snapshot.
    private const string SelectColumns = """
        SELECT v.version, s.address, s.status, s.silo_name, s.host_name, s.process_id, s.proxy_port,
               s.start_ticks, s.i_am_alive_ticks, s.suspect_times, s.etag
        FROM membership_version v
        """;

    public static async Task InitVersionAsync(DbConnection connection, string clusterId, DateTimeOffset now)
    {
        await using var command = Command(connection, null, """
            INSERT INTO membership_version (cluster_id, version, updated_ticks) VALUES (@cluster, 0, @now)
            ON CONFLICT (cluster_id) DO NOTHING
            """);
        Add(command, "@cluster", clusterId);
        Add(command, "@now", now.UtcTicks);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task<MembershipTableData> ReadAsync(DbConnection connection, DbTransaction? transaction, string clusterId, SiloAddress? onlyRow)
    {
        var sql = onlyRow is null
            ? SelectColumns + " LEFT JOIN membership_silo s ON s.cluster_id = v.cluster_id WHERE v.cluster_id = @cluster"
            : SelectColumns + " LEFT JOIN membership_silo s ON s.cluster_id = v.cluster_id AND s.address = @address WHERE v.cluster_id = @cluster";
        await using var command = Command(connection, transaction, sql);
        Add(command, "@cluster", clusterId);
        if (onlyRow is not null)
        {
            Add(command, "@address", onlyRow.ToString());
        }

        long? version = null;
        List<(MembershipEntry, string)> members = [];
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            var entry = new MembershipEntry
            {
                SiloAddress = SiloAddress.Parse(reader.GetString(1)),
                Status = (SiloStatus)reader.GetInt32(2),
                SiloName = reader.GetString(3),
                HostName = reader.GetString(4),
                ProcessId = reader.GetInt32(5),
                ProxyPort = reader.GetInt32(6),
                StartTime = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
                IAmAliveTime = new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
                SuspectTimes = SuspectTimesJson.Parse(reader.GetString(9)),
            };
            members.Add((entry, FormatETag(reader.GetInt64(10))));
        }

        if (version is null)
        {
            throw new InvalidOperationException(
                $"The membership table of cluster '{clusterId}' has no version row: call InitializeMembershipTable(tryInitTableVersion: true) first.");
        }

        return new MembershipTableData(members, new TableVersion(checked((int)version.Value), FormatETag(version.Value)));
    }

    /// <summary>The compare-and-swap on the version row: installs <paramref name="next"/> if the stored version is the one it was based on.</summary>
    public static async Task<bool> TryAdvanceVersionAsync(DbConnection connection, DbTransaction transaction, string clusterId, TableVersion next, DateTimeOffset now)
    {
        if (!long.TryParse(next.VersionEtag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || next.Version != expected + 1)
        {
            return false;
        }

        await using var command = Command(connection, transaction, """
            UPDATE membership_version SET version = @next, updated_ticks = @now
            WHERE cluster_id = @cluster AND version = @expected
            """);
        Add(command, "@next", (long)next.Version);
        Add(command, "@now", now.UtcTicks);
        Add(command, "@cluster", clusterId);
        Add(command, "@expected", expected);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    public static async Task<bool> InsertRowAsync(DbConnection connection, DbTransaction transaction, string clusterId, MembershipEntry entry)
    {
        await using var command = Command(connection, transaction, """
            INSERT INTO membership_silo (cluster_id, address, status, silo_name, host_name, process_id, proxy_port,
                                         start_ticks, i_am_alive_ticks, suspect_times, etag)
            VALUES (@cluster, @address, @status, @silo_name, @host_name, @process_id, @proxy_port,
                    @start_ticks, @i_am_alive_ticks, @suspect_times, 0)
            ON CONFLICT (cluster_id, address) DO NOTHING
            """);
        AddEntry(command, clusterId, entry);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    public static async Task<bool> UpdateRowAsync(DbConnection connection, DbTransaction transaction, string clusterId, MembershipEntry entry, string etag)
    {
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var expected))
        {
            return false;
        }

        await using var command = Command(connection, transaction, """
            UPDATE membership_silo SET status = @status, silo_name = @silo_name, host_name = @host_name,
                   process_id = @process_id, proxy_port = @proxy_port, start_ticks = @start_ticks,
                   i_am_alive_ticks = @i_am_alive_ticks, suspect_times = @suspect_times, etag = etag + 1
            WHERE cluster_id = @cluster AND address = @address AND etag = @etag
            """);
        AddEntry(command, clusterId, entry);
        Add(command, "@etag", expected);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
    }

    public static async Task UpdateIAmAliveAsync(DbConnection connection, string clusterId, MembershipEntry entry)
    {
        await using var command = Command(connection, null, """
            UPDATE membership_silo SET i_am_alive_ticks = @i_am_alive_ticks
            WHERE cluster_id = @cluster AND address = @address
            """);
        Add(command, "@i_am_alive_ticks", entry.IAmAliveTime.UtcTicks);
        Add(command, "@cluster", clusterId);
        Add(command, "@address", entry.SiloAddress.ToString());
        if (await command.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
        {
            throw new InvalidOperationException($"Silo {entry.SiloAddress} has no row in the membership table of cluster '{clusterId}'.");
        }
    }

    public static async Task DeleteClusterAsync(DbConnection connection, DbTransaction transaction, string clusterId)
    {
        foreach (var table in (string[])["membership_silo", "membership_version"])
        {
            await using var command = Command(connection, transaction, $"DELETE FROM {table} WHERE cluster_id = @cluster");
            Add(command, "@cluster", clusterId);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Bumps the version first, then deletes, so that this takes the version row's lock before
    /// any silo row's, in the same order as the compare-and-swap writers (no deadlock).
    /// Returns the number of rows deleted; the caller rolls back when it is 0.
    /// </summary>
    public static async Task<int> DeleteDefunctAsync(DbConnection connection, DbTransaction transaction, string clusterId, DateTimeOffset before, DateTimeOffset now)
    {
        await using (var bump = Command(connection, transaction,
            "UPDATE membership_version SET version = version + 1, updated_ticks = @now WHERE cluster_id = @cluster"))
        {
            Add(bump, "@now", now.UtcTicks);
            Add(bump, "@cluster", clusterId);
            await bump.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var delete = Command(connection, transaction, """
            DELETE FROM membership_silo
            WHERE cluster_id = @cluster AND status <> @active AND i_am_alive_ticks < @before
            """);
        Add(delete, "@cluster", clusterId);
        Add(delete, "@active", (int)SiloStatus.Active);
        Add(delete, "@before", before.UtcTicks);
        return await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static void AddEntry(DbCommand command, string clusterId, MembershipEntry entry)
    {
        Add(command, "@cluster", clusterId);
        Add(command, "@address", entry.SiloAddress.ToString());
        Add(command, "@status", (int)entry.Status);
        Add(command, "@silo_name", entry.SiloName ?? "");
        Add(command, "@host_name", entry.HostName ?? "");
        Add(command, "@process_id", entry.ProcessId);
        Add(command, "@proxy_port", entry.ProxyPort);
        Add(command, "@start_ticks", entry.StartTime.UtcTicks);
        Add(command, "@i_am_alive_ticks", entry.IAmAliveTime.UtcTicks);
        Add(command, "@suspect_times", SuspectTimesJson.Serialize(entry.SuspectTimes ?? []));
    }

    // The SQL text is constant or built from constants; values always travel as parameters.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "SQL is built from constants only; values are parameters.")]
    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static string FormatETag(long value) => value.ToString(CultureInfo.InvariantCulture);
}
