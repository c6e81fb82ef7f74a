namespace MigrationCluster.Clustering.Tests;

/// <summary>A grain that says which silo it is activated on: enough to see a cluster serve calls.</summary>
[Alias("mc.tests.IWhereAmIGrain")]
public interface IWhereAmIGrain : IGrainWithIntegerKey
{
    [Alias("SiloAddress")]
    Task<string> SiloAddress();
}
