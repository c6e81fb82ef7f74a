namespace MigrationCluster.Grains.Nodes;

/// <summary>A node's occupancy: free frames and its LRU lists.</summary>
[GenerateSerializer]
[Alias("mc.NodeStatus")]
public sealed record NodeStatus(int Node, int Capacity, int FreePages, int ActivePages, int InactivePages, int Waiters);
