using MigrationCluster.Hosting.Clustering.Postgres;
using Orleans;
using Orleans.Hosting;

namespace MigrationCluster.Clustering.Tests;

/// <summary>Two silos and a client sharing a PostgreSQL database (a fresh schema) through Orleans' ADO.NET provider.</summary>
public sealed class PostgresTwoSiloClusterTests : TwoSiloClusterTests
{
    private readonly ProviderInstances _instances = new();
    private PostgresTestSchema? _schema;

    private PostgresTestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public override async Task InitializeAsync()
    {
        _schema = await PostgresTestServer.CreateSchemaAsync();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string?> ClusteringSettings => new Dictionary<string, string?>
    {
        ["Orleans:Clustering:ProviderType"] = "AdoNet",
        ["Orleans:Clustering:Invariant"] = PostgresMembershipSchema.Invariant,
        ["Orleans:Clustering:ConnectionString"] = Schema.ConnectionString,
    };

    protected override IMembershipTable CreateTable() =>
        _instances.CreateTable(ServiceId, ClusterId, silo => silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMembershipSchema.Invariant;
            o.ConnectionString = Schema.ConnectionString;
        }));

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
