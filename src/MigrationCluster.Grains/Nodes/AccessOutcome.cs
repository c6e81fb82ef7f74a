namespace MigrationCluster.Grains.Nodes;

/// <summary>A read or write of a present page: the contents after it.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.AccessOutcome")]
public readonly record struct AccessOutcome(ulong Contents, bool Live);
