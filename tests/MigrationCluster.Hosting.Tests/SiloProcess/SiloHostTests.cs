using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MigrationCluster.Hosting.SiloProcess;

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
    [InlineData("--Orleans:Endpoints:GatewayPort", "gateway")]
    [InlineData("--Orleans:Membership:NumMissedProbesLimit", "0")]
    [InlineData("--Orleans:Clustering:ProviderType", "Etcd")]
    [InlineData("--Silo:StartTimeout", "-00:00:01")]
    public void Bad_settings_exit_with_code_2_before_anything_starts(string option, string value)
    {
        Assert.Equal(2, SiloHost.Run(["--state-dir", _directory, option, value]));
        Assert.False(Directory.Exists(_directory));
    }

    [Theory]
    [InlineData("--Silo:ProbeTimeout", "soon", "Orleans:Membership:ProbeTimeout", "Silo:ProbeTimeout")]
    [InlineData("--Silo:NumVotesForDeathDeclaration", "0", "Orleans:Membership:NumVotesForDeathDeclaration", "Silo:NumVotesForDeathDeclaration")]
    [InlineData("--port", "70000", "Orleans:Endpoints:SiloPort", "Silo:SiloPort")]
    [InlineData("--Silo:ListenAddress", "localhost.example", "Orleans:Endpoints:AdvertisedIPAddress", "Silo:ListenAddress")]
    [InlineData("--Orleans:Clustering:ProviderType", "Etcd", "Etcd", "Sqlite")]
    public void A_bad_setting_is_refused_in_one_line_naming_the_orleans_key_and_its_alias(string option, string value, string named, string alsoNamed)
    {
        var error = Assert.Throws<ArgumentException>(() => SiloHost.ReadSettings(SiloHost.CreateBuilder(["--state-dir", _directory, option, value])));

        var message = error.Message;
        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Contains(alsoNamed, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData("mysql", null, "Silo:MembershipProvider must be one of sqlite, postgres, redis")]
    [InlineData("postgres", null, "Orleans:Clustering:ConnectionString (a PostgreSQL connection string")]
    [InlineData("postgres", "Port=5432;Password=hunter2", "Orleans:Clustering:ConnectionString or Silo:MembershipConnection: ")]
    [InlineData("redis", "", "Orleans:Clustering:ConnectionString (a Redis configuration")]
    [InlineData("redis", "password=hunter2", "Orleans:Clustering:ConnectionString or Silo:MembershipConnection: ")]
    public void A_membership_provider_or_connection_it_cannot_use_is_one_line_naming_the_setting(string provider, string? connection, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ReadClustering(
            ("Silo:StateDir", _directory), ("Silo:MembershipProvider", provider), ("Silo:MembershipConnection", connection)).Validate());

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres", "Host=db;Username=orleans;Password=hunter2;Database=cluster", "AdoNet:db:5432/cluster")]
    [InlineData("Redis", "redis:6379,password=hunter2", "Redis:redis:6379")]
    public void A_server_provider_is_logged_without_the_password(string provider, string connection, string logged)
    {
        var clustering = ReadClustering(("Silo:MembershipProvider", provider), ("Silo:MembershipConnection", connection));
        clustering.Validate();

        Assert.StartsWith(logged, clustering.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", clustering.Describe(), StringComparison.Ordinal);
        Assert.Equal(provider == "postgres", clustering.UsesPostgres);
    }

    [Fact]
    public void Orleans_keys_alone_pick_the_provider_and_its_connection()
    {
        var clustering = ReadClustering(
            ("Orleans:Clustering:ProviderType", "AdoNet"), ("Orleans:Clustering:ConnectionName", "membership"),
            ("ConnectionStrings:membership", "Host=db;Database=cluster"));
        clustering.Validate();

        Assert.True(clustering.UsesPostgres);
        Assert.Equal("Host=db;Database=cluster", clustering.ConnectionString);
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
        var error = Assert.Throws<ArgumentException>(() => ReadClustering().Validate());
        Assert.Contains("Silo:StateDir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_options_are_checked_by_their_validator_and_keep_their_defaults()
    {
        var options = SiloSettings.Check(new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Silo:StateDir", (string?)_directory)]).Build());

        Assert.Equal(SiloProcessOptions.DefaultStartTimeout, options.StartTimeout);
        Assert.True(options.Dashboard);
        Assert.Equal(Path.Combine(Path.GetFullPath(_directory), "cluster.pfx"), options.EffectiveCertificateFile);
        Assert.Equal("Silo:StateDir", SiloHost.SwitchMappings["--state-dir"]);
        var refused = new SiloProcessOptionsValidator().Validate(null, new SiloProcessOptions { Traces = "carrier-pigeon", StartTimeout = TimeSpan.Zero });
        Assert.True(refused.Failed);
        Assert.Contains("Silo:Traces", refused.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Silo:StartTimeout", refused.FailureMessage, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => SiloSettings.Check(
            new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create("Orleans:ClusterId", (string?)" ")]).Build()));
    }

    private static SiloClustering ReadClustering(params (string Key, string? Value)[] settings)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        SiloSettingAliases.AddTo(builder);
        return SiloClustering.Read(builder.Build());
    }
}
