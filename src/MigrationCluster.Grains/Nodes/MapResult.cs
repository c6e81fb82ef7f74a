namespace MigrationCluster.Grains.Nodes;

/// <summary>What happened when a fault tried to map a page-cache page.</summary>
[GenerateSerializer]
[Alias("mc.MapResult")]
public enum MapResult
{
    /// <summary>Locked and added to the reverse map: install the PTE, then unlock.</summary>
    Mapped,
    /// <summary>Someone (a migration) holds the page lock: sleep on it, then look the page up again.</summary>
    Locked,
    /// <summary>The page left the page cache since the lookup: look it up again.</summary>
    Stale,
}
