using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace MigrationCluster.Hosting.Tests.Clustering;

public sealed class MigrationClusterOptionsTests
{
    private const string Postgres = "Host=db.example;Port=5432;Username=orleans;Password=hunter2;Database=cluster";
    private const string Redis = "redis.example:6379,password=hunter2";

    [Theory]
    [InlineData(ClusteringProvider.Postgres, null, "PostgresConnectionString")]
    [InlineData(ClusteringProvider.Postgres, "  ", "PostgresConnectionString")]
    [InlineData(ClusteringProvider.Postgres, "Port=5432;Password=hunter2", "PostgresConnectionString")]
    [InlineData(ClusteringProvider.Postgres, "Host=db;Password hunter2;Port=5432", "PostgresConnectionString")]
    [InlineData(ClusteringProvider.Redis, null, "RedisConfiguration")]
    [InlineData(ClusteringProvider.Redis, "password=hunter2", "RedisConfiguration")]
    [InlineData(ClusteringProvider.Redis, "redis:6379,nosuchoption=hunter2", "RedisConfiguration")]
    public void A_server_provider_without_a_usable_connection_fails_in_one_line_naming_the_setting(ClusteringProvider provider, string? connection, string setting)
    {
        var options = new MigrationClusterOptions { Clustering = provider, PostgresConnectionString = connection, RedisConfiguration = connection };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_providers_with_a_connection_pass_validation()
    {
        new MigrationClusterOptions { Clustering = ClusteringProvider.Postgres, PostgresConnectionString = Postgres }.Validate();
        new MigrationClusterOptions { Clustering = ClusteringProvider.Redis, RedisConfiguration = Redis }.Validate();
    }

    [Fact]
    public void A_postgres_silo_and_client_use_orleans_ado_net_provider_with_npgsql()
    {
        using var silo = new HostBuilder()
            .UseOrleans(s => s.UseMigrationCluster(o =>
            {
                o.Clustering = ClusteringProvider.Postgres;
                o.PostgresConnectionString = Postgres;
            }))
            .Build();
        using var client = new HostBuilder()
            .UseOrleansClient(c => c.UseMigrationCluster(o =>
            {
                o.Clustering = ClusteringProvider.Postgres;
                o.PostgresConnectionString = Postgres;
            }))
            .Build();

        Assert.IsType<AdoNetClusteringTable>(silo.Services.GetRequiredService<IMembershipTable>());
        var siloOptions = silo.Services.GetRequiredService<IOptions<AdoNetClusteringSiloOptions>>().Value;
        Assert.Equal("Npgsql", siloOptions.Invariant);
        Assert.Equal(Postgres, siloOptions.ConnectionString);
        Assert.IsType<AdoNetGatewayListProvider>(client.Services.GetRequiredService<IGatewayListProvider>());
        Assert.Equal("Npgsql", client.Services.GetRequiredService<IOptions<AdoNetClusteringClientOptions>>().Value.Invariant);
    }

    [Fact]
    public void A_redis_silo_and_client_use_orleans_redis_provider_with_the_configuration()
    {
        using var silo = new HostBuilder()
            .UseOrleans(s => s.UseMigrationCluster(o =>
            {
                o.Clustering = ClusteringProvider.Redis;
                o.RedisConfiguration = Redis;
            }))
            .Build();
        using var client = new HostBuilder()
            .UseOrleansClient(c => c.UseMigrationCluster(o =>
            {
                o.Clustering = ClusteringProvider.Redis;
                o.RedisConfiguration = Redis;
            }))
            .Build();

        Assert.Equal("RedisMembershipTable", silo.Services.GetRequiredService<IMembershipTable>().GetType().Name);
        var redis = silo.Services.GetRequiredService<IOptions<RedisClusteringOptions>>().Value.ConfigurationOptions!;
        var server = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(redis.EndPoints));
        Assert.Equal(("redis.example", 6379), (server.Host, server.Port));
        Assert.Equal("hunter2", redis.Password);
        Assert.Equal("RedisGatewayListProvider", client.Services.GetRequiredService<IGatewayListProvider>().GetType().Name);
    }
}
