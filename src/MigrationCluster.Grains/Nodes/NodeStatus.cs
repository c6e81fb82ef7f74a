namespace MigrationCluster.Grains.Nodes;

/// <summary>A node's occupancy (free frames, its LRU lists, tasks asleep on page locks) and the silo it lives on.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.NodeStatus")]
public sealed record NodeStatus(int Node, int Capacity, int FreePages, int ActivePages, int InactivePages, int Waiters, string Silo);
