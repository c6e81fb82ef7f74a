using System.Net;
using System.Net.Sockets;
using MigrationCluster.Clustering.Tests;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary><c>cluster init-db --postgres</c>, run as a process against the test server.</summary>
public sealed class ClusterInitDbTests : IAsyncLifetime
{
    private PostgresTestSchema? _schema;

    private PostgresTestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _schema = await PostgresTestServer.CreateSchemaAsync(apply: false);

    public async Task DisposeAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Fact]
    public async Task Init_db_creates_the_schema_and_running_it_again_keeps_what_is_stored()
    {
        var first = await CliProcess.RunAsync("cluster", "init-db", "--postgres", Schema.ConnectionString);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.StartsWith("Membership schema ready at 127.0.0.1:", first.Stdout, StringComparison.Ordinal);
        await Schema.ExecuteAsync("INSERT INTO orleans_membership_version (cluster_id, version) VALUES ('kept', 41)");

        var again = await CliProcess.RunAsync("cluster", "init-db", "--postgres", Schema.ConnectionString);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(41, await Schema.ScalarAsync<int>("SELECT version FROM orleans_membership_version WHERE cluster_id = 'kept'"));
        Assert.Equal(10, await Schema.ScalarAsync<long>("SELECT count(*) FROM OrleansQuery"));
    }

    [Theory]
    [InlineData("Port=5432;Password=hunter2")]
    [InlineData("Host=127.0.0.1;Password hunter2;Port=5432")]
    [InlineData("")]
    public async Task A_bad_connection_string_is_exit_2_and_one_line_without_it(string connectionString)
    {
        var result = await CliProcess.RunAsync("cluster", "init-db", "--postgres", connectionString);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("--postgres", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_1_and_one_line_naming_it()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var result = await CliProcess.RunAsync("cluster", "init-db", "--postgres", $"Host=127.0.0.1;Port={closedPort};Username=postgres;Password=hunter2;Timeout=3");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains($"127.0.0.1:{closedPort}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
    }
}
