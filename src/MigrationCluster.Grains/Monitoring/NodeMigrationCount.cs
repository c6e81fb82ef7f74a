namespace MigrationCluster.Grains.Monitoring;

/// <summary>Pages migrated into and out of one NUMA node.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.NodeMigrationCount")]
public sealed record NodeMigrationCount(int Node, long PagesIn, long PagesOut);
