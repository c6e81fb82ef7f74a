using System.Net.Sockets;
using MigrationCluster.Hosting.Clustering.Postgres;
using Npgsql;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// The PostgreSQL server the tests run against, named by <see cref="Variable"/>. Without one the
/// tests fail (never skip) and say how to get one.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "MIGRATIONCLUSTER_POSTGRES";

    private const string HowTo =
        "install PostgreSQL (apt-get install -y postgresql) and start a throwaway server with " +
        "`source .ci/postgres.sh && start_postgres`, which exports " + Variable + " (bash .ci/run does both)";

    /// <summary>The server's connection string, or a failed test that says how to start one.</summary>
    public static string ConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                Assert.Fail($"{Variable} is not set: the PostgreSQL membership tests need a server: {HowTo}.");
            }
            return value;
        }
    }

    /// <summary>A schema of its own on the server (dropped on dispose), with the membership schema applied unless told not to.</summary>
    public static async Task<PostgresTestSchema> CreateSchemaAsync(bool apply = true)
    {
        var name = "mc_test_" + Guid.NewGuid().ToString("N");
        await using (var connection = await OpenAsync(ConnectionString))
        await using (var create = new NpgsqlCommand($"CREATE SCHEMA {name}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        var schema = new PostgresTestSchema(name, new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = name }.ConnectionString);
        if (apply)
        {
            await PostgresMembershipSchema.ApplyAsync(schema.ConnectionString);
        }
        return schema;
    }

    /// <summary>An open connection, or a failed test that names the server and says how to start one.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            Assert.Fail($"Cannot reach PostgreSQL at {builder.Host}:{builder.Port} ({Variable}): {exception.Message.ReplaceLineEndings(" ")}. The PostgreSQL membership tests need a server: {HowTo}.");
            throw;
        }
    }
}
