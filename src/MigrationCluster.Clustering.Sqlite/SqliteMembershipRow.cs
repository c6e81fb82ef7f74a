using Microsoft.Data.Sqlite;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// A <see cref="MembershipEntry"/> as the columns of one silo row, both ways. The silo address is
/// stored as <see cref="SiloAddress.ToParsableString"/> (ip:port@generation), which round-trips.
/// </summary>
internal static class SqliteMembershipRow
{
    public static string Key(SiloAddress address) => address.ToParsableString();

    public static (string Name, object? Value)[] Parameters(string clusterId, MembershipEntry entry, string newEtag) =>
    [
        ("@cluster_id", clusterId),
        ("@silo_address", Key(entry.SiloAddress)),
        ("@status", (int)entry.Status),
        ("@proxy_port", entry.ProxyPort),
        ("@host_name", entry.HostName),
        ("@silo_name", entry.SiloName),
        ("@role_name", entry.RoleName),
        ("@update_zone", entry.UpdateZone),
        ("@fault_zone", entry.FaultZone),
        ("@start_time", UtcTimeText.Format(entry.StartTime)),
        ("@i_am_alive_time", UtcTimeText.Format(entry.IAmAliveTime)),
        ("@suspect_times", SuspectTimesJson.Serialize(entry.SuspectTimes)),
        ("@new_etag", newEtag),
    ];

    /// <summary>Reads the columns of <see cref="SqliteMembershipSql.SelectSilos"/>, in their order.</summary>
    public static Tuple<MembershipEntry, string> Read(SqliteDataReader reader)
    {
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(reader.GetString(0)),
            Status = (SiloStatus)reader.GetInt32(1),
            ProxyPort = reader.GetInt32(2),
            HostName = reader.IsDBNull(3) ? null! : reader.GetString(3),
            SiloName = reader.IsDBNull(4) ? null! : reader.GetString(4),
            RoleName = reader.IsDBNull(5) ? null : reader.GetString(5),
            UpdateZone = reader.GetInt32(6),
            FaultZone = reader.GetInt32(7),
            StartTime = UtcTimeText.Parse(reader.GetString(8)),
            IAmAliveTime = UtcTimeText.Parse(reader.GetString(9)),
            SuspectTimes = SuspectTimesJson.Deserialize(reader.IsDBNull(10) ? null : reader.GetString(10)),
        };
        return Tuple.Create(entry, reader.GetString(11));
    }
}
