using Npgsql;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// A PostgreSQL server of its own on one test host (Debian's binaries, a data directory in the
/// lab's), listening on that host's address for the silos, and on a Unix socket in the lab's
/// directory, through which the test reads the membership table whatever the network does.
/// </summary>
internal sealed class LabPostgres : IAsyncDisposable
{
    public const int Port = 5432;

    private readonly string _bin;
    private readonly string _directory;

    private LabPostgres(string bin, string directory, string address)
    {
        _bin = bin;
        _directory = directory;
        // Short timeouts: a silo notices at once that the table is out of reach, and keeps serving.
        ConnectionString = $"Host={address};Port={Port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5";
        SocketConnectionString = $"Host={directory};Port={Port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>For the silos and clients: over the test network.</summary>
    public string ConnectionString { get; }

    /// <summary>For the test: the Unix socket, which no partition cuts.</summary>
    public string SocketConnectionString { get; }

    public static async Task<LabPostgres> StartAsync(NetworkLab lab, string host)
    {
        var bin = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl"))).OrderBy(b => b, StringComparer.Ordinal).LastOrDefault()
            : null;
        if (bin is null)
        {
            Assert.Fail("The multi-host tests run PostgreSQL on a test host: apt-get install -y postgresql (bash .ci/run installs it).");
        }
        var directory = Path.Combine(lab.Directory, "pg");
        System.IO.Directory.CreateDirectory(directory);
        await Shell.RunAsync("chown", "postgres:postgres", directory);
        var server = new LabPostgres(bin, directory, lab.AddressOf(host));
        await Shell.RunAsync("su", "postgres", "-c", $"{bin}/initdb -D {directory}/data -A trust -U postgres >{directory}/initdb.log 2>&1");
        await File.AppendAllTextAsync(Path.Combine(directory, "data", "pg_hba.conf"), $"\nhost all all {NetworkLab.Subnet}.0/24 trust\n");
        await Shell.RunAsync("ip", "netns", "exec", lab.NamespaceOf(host), "su", "postgres", "-c",
            $"{bin}/pg_ctl -D {directory}/data -o \"-p {Port} -k {directory} -c listen_addresses={lab.AddressOf(host)} -c fsync=off -c synchronous_commit=off\" -l {directory}/log -w start");
        return server;
    }

    /// <summary>The cluster's rows: silo name, address and port, generation, status (Orleans' SiloStatus), last I-am-alive.</summary>
    public async Task<IReadOnlyList<MembershipRow>> ReadMembershipAsync(string clusterId)
    {
        await using var connection = new NpgsqlConnection(SocketConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT silo_name, address, port, generation, status, i_am_alive_time, now() FROM orleans_membership WHERE cluster_id = @c", connection);
        command.Parameters.AddWithValue("c", clusterId);
        var rows = new List<MembershipRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new MembershipRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), (Orleans.Runtime.SiloStatus)reader.GetInt32(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await Shell.TryRunAsync("su", ["postgres", "-c", $"{_bin}/pg_ctl -D {_directory}/data -m immediate stop"], TimeSpan.FromSeconds(20));
    }
}

/// <summary>One silo incarnation in the membership table.</summary>
internal sealed record MembershipRow(string SiloName, string Address, int Port, int Generation, Orleans.Runtime.SiloStatus Status, DateTimeOffset IAmAlive, DateTimeOffset ServerNow);
