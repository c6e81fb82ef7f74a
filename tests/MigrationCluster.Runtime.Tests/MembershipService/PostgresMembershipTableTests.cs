using MigrationCluster.Runtime.MembershipService;
using Npgsql;

namespace MigrationCluster.Runtime.Tests.MembershipService;

/// <summary>
/// The contract against a real PostgreSQL server: the one <c>.ci/run</c> starts, found through
/// <c>MIGRATIONCLUSTER_POSTGRES</c>. Without it these tests fail (never skip), saying how to get one.
/// Each test gets its own schema, dropped afterwards.
/// </summary>
public sealed class PostgresMembershipTableTests : MembershipTableContractTests
{
    public const string ConnectionStringVariable = "MIGRATIONCLUSTER_POSTGRES";

    private const string HowToGetAServer =
        "Install PostgreSQL (apt-get install -y postgresql) and start the test server with " +
        "'source .ci/postgres.sh && start_postgres' in the shell that runs the tests, or run 'bash .ci/run'.";

    private readonly List<PostgresMembershipTable> _tables = [];
    private readonly string _schema = "mc_test_" + Guid.NewGuid().ToString("N");
    private string _adminConnectionString = "";
    private string _connectionString = "";

    public override async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable) ?? "";
        if (string.IsNullOrWhiteSpace(_adminConnectionString))
        {
            throw new InvalidOperationException($"{ConnectionStringVariable} is not set, so there is no PostgreSQL server to test against. {HowToGetAServer}");
        }

        try
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {_schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL server in {ConnectionStringVariable} ('{_adminConnectionString}') is unreachable: {e.Message}. {HowToGetAServer}", e);
        }

        _connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { SearchPath = _schema }.ConnectionString;
    }

    public override async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }

        if (_connectionString.Length == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId)
    {
        var table = new PostgresMembershipTable(new PostgresMembershipTableOptions { ConnectionString = _connectionString, ClusterId = clusterId });
        _tables.Add(table);
        return Task.FromResult<IMembershipTable>(table);
    }

    [Fact]
    public async Task The_rows_live_in_the_configured_schema()
    {
        var table = await NewTableAsync();
        Assert.True(await table.InsertRow(NewEntry(11111), (await table.ReadAll()).Version.Next()));

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {_schema}.membership_silo WHERE cluster_id = @c", connection);
        command.Parameters.AddWithValue("c", ClusterId);
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }
}
