namespace MigrationCluster.Clustering.Tests;

/// <summary>A grain that says which silo it is activated on: enough to see a cluster serve calls.</summary>
public interface IWhereAmIGrain : IGrainWithIntegerKey
{
    Task<string> SiloAddress();
}
