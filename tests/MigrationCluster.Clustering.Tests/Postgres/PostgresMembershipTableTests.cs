using Orleans;
using Orleans.Hosting;
using Orleans.Messaging;
using MigrationCluster.Hosting.Clustering.Postgres;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// The contract suite against Orleans' ADO.NET provider on PostgreSQL with our schema and
/// queries, each test in a fresh schema of its own.
/// </summary>
public sealed class PostgresMembershipTableTests : MembershipTableContractTests
{
    private readonly ProviderInstances _instances = new();
    private readonly string _serviceId = "contract-" + Guid.NewGuid().ToString("N");
    private PostgresTestSchema? _schema;

    private PostgresTestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    // Orleans' ADO.NET provider (10.4.2): its queries bind only what the protocol changes, every
    // row's etag is the table version's; our cleanup queries remove Dead rows only, as
    // IMembershipTable documents.
    protected override MembershipTableTraits Traits => MembershipTableTraits.None;

    protected override IMembershipTable CreateTable(string clusterId) =>
        _instances.CreateTable(_serviceId, clusterId, silo => silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMembershipSchema.Invariant;
            o.ConnectionString = Schema.ConnectionString;
        }));

    protected override IGatewayListProvider CreateGatewayListProvider(string clusterId, TimeSpan refreshPeriod) =>
        _instances.CreateGatewayListProvider(_serviceId, clusterId, refreshPeriod, client => client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMembershipSchema.Invariant;
            o.ConnectionString = Schema.ConnectionString;
        }));

    public override async Task InitializeAsync()
    {
        _schema = await PostgresTestServer.CreateSchemaAsync();
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
            if (_schema is not null)
            {
                await _schema.DisposeAsync();
            }
        }
    }
}
