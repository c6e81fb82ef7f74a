namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// The schema and statements of the membership file. One version row per cluster and one row per
/// silo incarnation; times are UTC in ISO 8601 with 100 ns digits (exact round trip, and readable
/// in the sqlite3 shell); etags are random and never reused, so an etag read before a
/// <c>DeleteMembershipTableEntries</c> cannot match a row or version created after it.
/// </summary>
internal static class SqliteMembershipSql
{
    public const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS orleans_membership_version (
            cluster_id TEXT NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            etag TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS orleans_membership_silo (
            cluster_id TEXT NOT NULL,
            silo_address TEXT NOT NULL,
            status INTEGER NOT NULL,
            proxy_port INTEGER NOT NULL,
            host_name TEXT NULL,
            silo_name TEXT NULL,
            role_name TEXT NULL,
            update_zone INTEGER NOT NULL,
            fault_zone INTEGER NOT NULL,
            start_time TEXT NOT NULL,
            i_am_alive_time TEXT NOT NULL,
            suspect_times TEXT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (cluster_id, silo_address));
        """;

    public const string InsertVersionIfAbsent = """
        INSERT INTO orleans_membership_version (cluster_id, version, etag) VALUES (@cluster_id, 0, @etag)
        ON CONFLICT (cluster_id) DO NOTHING;
        """;

    public const string SelectVersion = "SELECT version, etag FROM orleans_membership_version WHERE cluster_id = @cluster_id;";

    private const string SiloColumns = """
        silo_address, status, proxy_port, host_name, silo_name, role_name, update_zone, fault_zone,
        start_time, i_am_alive_time, suspect_times, etag
        """;

    public const string SelectSilos = "SELECT " + SiloColumns + " FROM orleans_membership_silo WHERE cluster_id = @cluster_id;";

    public const string SelectSilo = "SELECT " + SiloColumns + " FROM orleans_membership_silo WHERE cluster_id = @cluster_id AND silo_address = @silo_address;";

    /// <summary>The compare-and-swap on the table version: matches only if nobody wrote since the caller read.</summary>
    public const string AdvanceVersion = """
        UPDATE orleans_membership_version SET version = @version, etag = @new_etag
        WHERE cluster_id = @cluster_id AND etag = @expected_etag;
        """;

    public const string InsertSilo = """
        INSERT INTO orleans_membership_silo (cluster_id, silo_address, status, proxy_port, host_name, silo_name, role_name,
                                             update_zone, fault_zone, start_time, i_am_alive_time, suspect_times, etag)
        VALUES (@cluster_id, @silo_address, @status, @proxy_port, @host_name, @silo_name, @role_name,
                @update_zone, @fault_zone, @start_time, @i_am_alive_time, @suspect_times, @new_etag)
        ON CONFLICT (cluster_id, silo_address) DO NOTHING;
        """;

    public const string UpdateSilo = """
        UPDATE orleans_membership_silo
        SET status = @status, proxy_port = @proxy_port, host_name = @host_name, silo_name = @silo_name, role_name = @role_name,
            update_zone = @update_zone, fault_zone = @fault_zone, start_time = @start_time, i_am_alive_time = @i_am_alive_time,
            suspect_times = @suspect_times, etag = @new_etag
        WHERE cluster_id = @cluster_id AND silo_address = @silo_address AND etag = @expected_etag;
        """;

    /// <summary>A dirty write, as the contract allows: no etag check, and the etag stays, so it never fails a silo's next CAS.</summary>
    public const string UpdateIAmAlive = """
        UPDATE orleans_membership_silo SET i_am_alive_time = @i_am_alive_time
        WHERE cluster_id = @cluster_id AND silo_address = @silo_address;
        """;

    public const string DeleteCluster = """
        DELETE FROM orleans_membership_silo WHERE cluster_id = @cluster_id;
        DELETE FROM orleans_membership_version WHERE cluster_id = @cluster_id;
        """;

    public const string SelectDefunctCandidates = """
        SELECT silo_address, start_time, i_am_alive_time, suspect_times FROM orleans_membership_silo
        WHERE cluster_id = @cluster_id AND status <> @active;
        """;

    public const string DeleteSilo = "DELETE FROM orleans_membership_silo WHERE cluster_id = @cluster_id AND silo_address = @silo_address;";

    public const string SelectGateways = """
        SELECT silo_address, proxy_port FROM orleans_membership_silo
        WHERE cluster_id = @cluster_id AND status = @active AND proxy_port > 0;
        """;
}
