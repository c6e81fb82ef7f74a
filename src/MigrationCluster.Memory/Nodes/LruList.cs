namespace MigrationCluster.Memory.Nodes;

/// <summary>enum lru_list, plus the free list which shares the frames' links.</summary>
public enum LruList
{
    InactiveAnon = 0,
    ActiveAnon = 1,
    InactiveFile = 2,
    ActiveFile = 3,

    /// <summary>LRU_UNEVICTABLE: mlocked pages, which reclaim never scans.</summary>
    Unevictable = 4,
    Free = 5,
}
