using System.Net;
using System.Net.Sockets;
using MigrationCluster.Hosting.SiloProcess;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

public sealed class SiloHostTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-silohost-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--Silo:MembershipProvider", "mysql")]
    [InlineData("--Silo:ProbeTimeout", "soon")]
    [InlineData("--Silo:NumVotesForDeathDeclaration", "0")]
    [InlineData("--Silo:Traces", "carrier-pigeon")]
    [InlineData("--Silo:ListenAddress", "localhost.example")]
    [InlineData("--port", "70000")]
    public void Bad_settings_exit_with_code_2_before_anything_starts(string option, string value)
    {
        Assert.Equal(2, SiloHost.Run(["--state-dir", _directory, option, value]));
        Assert.False(Directory.Exists(_directory));
    }

    [Theory]
    [InlineData("mysql", null, "Silo:MembershipProvider must be one of sqlite, postgres, redis")]
    [InlineData("postgres", null, "Silo:MembershipConnection (a PostgreSQL connection string")]
    [InlineData("postgres", "Port=5432;Password=hunter2", "Silo:MembershipConnection: ")]
    [InlineData("redis", "", "Silo:MembershipConnection (a Redis configuration")]
    [InlineData("redis", "password=hunter2", "Silo:MembershipConnection: ")]
    public void A_membership_provider_or_connection_it_cannot_use_is_one_line_naming_the_setting(string provider, string? connection, string message)
    {
        var options = new SiloProcessOptions { StateDir = _directory, MembershipProvider = provider, MembershipConnection = connection };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres", "Host=db;Username=orleans;Password=hunter2;Database=cluster", ClusteringProvider.Postgres, "Membership=postgres:db:5432/cluster,")]
    [InlineData("Redis", "redis:6379,password=hunter2", ClusteringProvider.Redis, "Membership=Redis:redis:6379")]
    public void A_server_provider_goes_to_the_silo_with_its_connection_and_is_logged_without_the_password(string provider, string connection, ClusteringProvider expected, string logged)
    {
        var options = new SiloProcessOptions { MembershipProvider = provider, MembershipConnection = connection };
        options.Validate();
        var cluster = new MigrationClusterOptions();

        options.ApplyTo(cluster);

        Assert.Equal(expected, cluster.Clustering);
        Assert.Equal(connection, expected == ClusteringProvider.Postgres ? cluster.PostgresConnectionString : cluster.RedisConfiguration);
        cluster.Validate();
        Assert.Contains(logged, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_silo_whose_server_cannot_be_reached_exits_with_code_1_before_starting()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        Assert.Equal(1, SiloHost.Run([
            "--state-dir", _directory,
            "--Silo:MembershipProvider", "postgres",
            "--Silo:MembershipConnection", $"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=3",
        ]));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Without_a_state_dir_or_membership_file_the_silo_refuses_to_start()
    {
        Assert.Equal(2, SiloHost.Run([]));
    }

    [Fact]
    public void Failure_detection_keeps_orleans_production_defaults_unless_set()
    {
        var options = new SiloProcessOptions { StateDir = _directory, SiloName = "s1" };
        options.Validate();
        var membership = new ClusterMembershipOptions();
        options.ApplyTo(membership);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.ProbeTimeout);
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.Equal(2, membership.NumVotesForDeathDeclaration);
        Assert.Equal(Path.Combine(Path.GetFullPath(_directory), "membership.db"), options.MembershipFile);
        Assert.Equal("Silo:StateDir", SiloHost.SwitchMappings["--state-dir"]);
        Assert.Contains("Membership=sqlite:", options.ToString(), StringComparison.Ordinal);
    }
}
