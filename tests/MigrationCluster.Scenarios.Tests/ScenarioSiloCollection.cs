namespace MigrationCluster.Scenarios.Tests;

/// <summary>The test classes that run scenarios on grains share one silo, and run one after the other on it.</summary>
[CollectionDefinition(Name)]
public sealed class ScenarioSiloCollection : ICollectionFixture<ScenarioSiloFixture>
{
    public const string Name = "scenario silo";
}
