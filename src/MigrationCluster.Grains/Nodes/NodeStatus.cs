namespace MigrationCluster.Grains.Nodes;

/// <summary>A node's occupancy (free frames, its LRU lists, tasks asleep on page locks) and the silo it lives on.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.NodeStatus")]
public sealed record NodeStatus(int Node, int Capacity, int FreePages, int ActivePages, int InactivePages, int Waiters, string Silo)
{
    /// <summary>Pages on the unevictable LRU (mlocked): neither active nor inactive, never reclaimed.</summary>
    [Id(7)]
    public int UnevictablePages { get; init; }
}
