using Microsoft.Extensions.Hosting;
using MigrationCluster.Hosting.Clustering.Redis;
using Orleans;

namespace MigrationCluster.Clustering.Tests;

/// <summary>Two silos and a client sharing a Redis server (keys of this test's service id) through Orleans' Redis provider.</summary>
public sealed class RedisTwoSiloClusterTests : TwoSiloClusterTests
{
    private readonly ProviderInstances _instances = new();

    public override async Task InitializeAsync()
    {
        await RedisTestServer.EnsureReachableAsync();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string?> ClusteringSettings => new Dictionary<string, string?>
    {
        ["Orleans:Clustering:ProviderType"] = "Redis",
        ["Orleans:Clustering:ConnectionString"] = RedisTestServer.Configuration,
    };

    protected override IMembershipTable CreateTable() =>
        _instances.CreateTable(ServiceId, ClusterId, silo => silo.UseRedisClustering(o => o.ConfigurationOptions = RedisMembershipConfiguration.Parse(RedisTestServer.Configuration)));

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
            var table = CreateTable();
            await table.InitializeMembershipTableAsync(false);
            await table.DeleteMembershipTableEntriesAsync(ClusterId);
        }
        finally
        {
            await _instances.DisposeAsync();
        }
    }
}
