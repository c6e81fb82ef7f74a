using Microsoft.Extensions.Hosting;
using MigrationCluster.Hosting.Clustering.Redis;
using Orleans;
using Orleans.Messaging;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// The contract suite against Orleans' Redis provider. Each test has a service id of its own, so
/// its keys (<c>{ServiceId}/members/{ClusterId}</c>) are its own.
/// </summary>
public sealed class RedisMembershipTableTests : MembershipTableContractTests
{
    private readonly ProviderInstances _instances = new();
    private readonly string _serviceId = "contract-" + Guid.NewGuid().ToString("N");

    // Orleans' Redis provider (10.4.2) stores whole entries as JSON; every row's etag is the table
    // version's; cleanup removes Dead rows only.
    protected override MembershipTableTraits Traits => MembershipTableTraits.WholeEntries;

    protected override IMembershipTable CreateTable(string clusterId) =>
        _instances.CreateTable(_serviceId, clusterId, silo => silo.UseRedisClustering(o => o.ConfigurationOptions = RedisMembershipConfiguration.Parse(RedisTestServer.Configuration)));

    protected override IGatewayListProvider CreateGatewayListProvider(string clusterId, TimeSpan refreshPeriod) =>
        _instances.CreateGatewayListProvider(_serviceId, clusterId, refreshPeriod, client => client.UseRedisClustering(o => o.ConfigurationOptions = RedisMembershipConfiguration.Parse(RedisTestServer.Configuration)));

    public override async Task InitializeAsync()
    {
        await RedisTestServer.EnsureReachableAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await _instances.DisposeAsync();
        }
    }
}
