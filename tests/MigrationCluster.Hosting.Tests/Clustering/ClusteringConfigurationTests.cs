using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MigrationCluster.Clustering.Sqlite;
using MigrationCluster.Hosting.SiloProcess;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace MigrationCluster.Hosting.Tests.Clustering;

/// <summary>
/// The provider of a silo and a client of the simulation is Orleans' to pick from configuration
/// (<c>Orleans:Clustering:ProviderType</c>): our SQLite provider, Orleans' ADO.NET provider with
/// Npgsql, Orleans' Redis provider; the silo's <c>Silo:*</c> aliases say the same.
/// </summary>
public sealed class ClusteringConfigurationTests
{
    private const string Postgres = "Host=db.example;Port=5432;Username=orleans;Password=hunter2;Database=cluster";
    private const string Redis = "redis.example:6379,password=hunter2";

    private static (IHost Silo, IHost Client) Build(IReadOnlyDictionary<string, string?> settings)
    {
        var silo = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .UseOrleans(s => s.UseMigrationCluster())
            .Build();
        var client = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .UseOrleansClient(c => c.UseMigrationCluster())
            .Build();
        return (silo, client);
    }

    /// <summary>The Orleans keys a silo process would use for these <c>Silo:*</c> settings.</summary>
    private static Dictionary<string, string?> FromAliases(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        SiloSettingAliases.AddTo(configuration);
        return configuration.Build().AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    [Fact]
    public void Sqlite_picks_our_provider_for_the_silo_and_the_client()
    {
        var (silo, client) = Build(new Dictionary<string, string?> { ["Orleans:Clustering:ProviderType"] = "Sqlite", ["Orleans:Clustering:FilePath"] = "cluster.db" });
        using (silo)
        using (client)
        {
            Assert.IsType<SqliteMembershipTable>(silo.Services.GetRequiredService<IMembershipTable>());
            Assert.Equal("cluster.db", silo.Services.GetRequiredService<IOptions<SqliteClusteringOptions>>().Value.FilePath);
            Assert.IsType<SqliteGatewayListProvider>(client.Services.GetRequiredService<IGatewayListProvider>());
            Assert.Equal("cluster.db", client.Services.GetRequiredService<IOptions<SqliteClusteringOptions>>().Value.FilePath);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Postgres_is_orleans_ado_net_provider_with_npgsql(bool throughAliases)
    {
        var settings = throughAliases
            ? FromAliases(("Silo:MembershipProvider", "postgres"), ("Silo:MembershipConnection", Postgres))
            : new Dictionary<string, string?> { ["Orleans:Clustering:ProviderType"] = "AdoNet", ["Orleans:Clustering:Invariant"] = "Npgsql", ["Orleans:Clustering:ConnectionString"] = Postgres };
        var (silo, client) = Build(settings);
        using (silo)
        using (client)
        {
            Assert.IsType<AdoNetClusteringTable>(silo.Services.GetRequiredService<IMembershipTable>());
            var siloOptions = silo.Services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value;
            Assert.Equal("Npgsql", siloOptions.Invariant);
            Assert.Equal(Postgres, siloOptions.ConnectionString);
            Assert.IsType<AdoNetGatewayListProvider>(client.Services.GetRequiredService<IGatewayListProvider>());
            Assert.Equal("Npgsql", client.Services.GetRequiredService<IOptions<AdoNetClusteringClientOptions>>().Value.Invariant);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Redis_is_orleans_redis_provider_with_the_configuration(bool throughAliases)
    {
        var settings = throughAliases
            ? FromAliases(("Silo:MembershipProvider", "redis"), ("Silo:MembershipConnection", Redis))
            : new Dictionary<string, string?> { ["Orleans:Clustering:ProviderType"] = "Redis", ["Orleans:Clustering:ConnectionString"] = Redis };
        var (silo, client) = Build(settings);
        using (silo)
        using (client)
        {
            Assert.Equal("RedisMembershipTable", silo.Services.GetRequiredService<IMembershipTable>().GetType().Name);
            var redis = silo.Services.GetRequiredService<IOptions<RedisClusteringOptions>>().Value.ConfigurationOptions!;
            var server = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(redis.EndPoints));
            Assert.Equal(("redis.example", 6379), (server.Host, server.Port));
            Assert.Equal("hunter2", redis.Password);
            Assert.Equal("RedisGatewayListProvider", client.Services.GetRequiredService<IGatewayListProvider>().GetType().Name);
        }
    }

    [Fact]
    public void The_aliases_give_the_silo_process_defaults_and_an_orleans_key_wins_over_its_alias()
    {
        var state = Path.Combine(Path.GetTempPath(), "mc-aliases");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:StateDir"] = state,
            ["Silo:SiloPort"] = "12000",
            ["Silo:ClusterId"] = "from-alias",
            ["Orleans:ClusterId"] = "from-orleans",
            ["Silo:ProbeTimeout"] = "00:00:02",
        });
        SiloSettingAliases.AddTo(configuration);
        var settings = configuration.Build();

        Assert.Equal("from-orleans", settings["Orleans:ClusterId"]);
        Assert.Equal(MigrationClusterOptions.DefaultServiceId, settings["Orleans:ServiceId"]);
        Assert.Equal("12000", settings["Orleans:Endpoints:SiloPort"]);
        Assert.Equal(MigrationClusterOptions.DefaultGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["Orleans:Endpoints:GatewayPort"]);
        Assert.Equal("127.0.0.1", settings["Orleans:Endpoints:AdvertisedIPAddress"]);
        Assert.Equal("Sqlite", settings["Orleans:Clustering:ProviderType"]);
        Assert.Equal(new LocalClusterState(state).MembershipFile, settings["Orleans:Clustering:FilePath"]);
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(settings).AddSiloSettings().BuildServiceProvider();
        var membership = services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), membership.ProbeTimeout);
        // Failure detection keeps Orleans' production defaults unless set.
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.Equal(2, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(30), membership.IAmAliveTablePublishTimeout);
    }

    [Fact]
    public void With_orleans_provider_type_sqlite_the_state_directory_still_gives_the_file()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:Clustering:ProviderType"] = "Sqlite",
            ["Silo:StateDir"] = "state",
            ["Silo:MembershipProvider"] = "redis",
        });
        SiloSettingAliases.AddTo(configuration);
        var settings = configuration.Build();

        Assert.Equal("Sqlite", settings["Orleans:Clustering:ProviderType"]);
        Assert.Equal(new LocalClusterState("state").MembershipFile, settings["Orleans:Clustering:FilePath"]);
    }
}
