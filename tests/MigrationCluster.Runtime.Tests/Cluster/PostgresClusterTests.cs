using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Testing;
using MigrationCluster.Runtime.Tests.MembershipService;
using Npgsql;
using static MigrationCluster.Runtime.Tests.Cluster.ClusterTestSetup;

namespace MigrationCluster.Runtime.Tests.Cluster;

/// <summary>A two-silo cluster whose membership lives in the real PostgreSQL server of <c>.ci/run</c>.</summary>
[Collection(ClusterTestCollection.Name)]
public sealed class PostgresClusterTests : IAsyncLifetime
{
    private readonly string _schema = "mc_cluster_" + Guid.NewGuid().ToString("N");
    private readonly List<PostgresMembershipTable> _tables = [];
    private string _admin = "";
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable(PostgresMembershipTableTests.ConnectionStringVariable) ?? "";
        if (string.IsNullOrWhiteSpace(_admin))
        {
            throw new InvalidOperationException($"{PostgresMembershipTableTests.ConnectionStringVariable} is not set: start the test server with 'source .ci/postgres.sh && start_postgres' or run 'bash .ci/run'.");
        }
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {_schema}", connection);
        await command.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(_admin) { SearchPath = _schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA {_schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    private PostgresMembershipTable CreateTable(string clusterId)
    {
        var table = new PostgresMembershipTable(new PostgresMembershipTableOptions { ConnectionString = _connectionString, ClusterId = clusterId });
        lock (_tables)
        {
            _tables.Add(table);
        }
        return table;
    }

    [Fact]
    public async Task Two_silos_on_the_postgres_membership_table_call_each_other_and_leave_dead_rows()
    {
        var options = Options(silos: 2);
        options.MembershipTableFactory = CreateTable;
        var cluster = await TestCluster.StartAsync(options);
        PostgresMembershipTable table;
        List<SiloAddress> addresses;
        await using (cluster)
        {
            table = CreateTable(options.ClusterId);
            var rows = (await table.ReadAll()).Members;
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal(SiloStatus.Active, r.Entry.Status));

            var homes = new[] { await cluster.Client.GetGrain<INumaPlacedGrain>(0).WhereAmI(), await cluster.Client.GetGrain<INumaPlacedGrain>(1).WhereAmI() };
            Assert.NotEqual(homes[0], homes[1]);
            Assert.Equal(homes[1], await cluster.Silos[0].GrainFactory.GetGrain<INumaPlacedGrain>(0).WhereIsOther(1));
            addresses = [.. cluster.Silos.Select(s => s.SiloAddress!)];
        }
        foreach (var address in addresses)
        {
            Assert.Equal(SiloStatus.Dead, await StatusInTableAsync(table, address));
        }
    }
}
