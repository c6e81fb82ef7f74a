using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>One page-cache entry of a file (or shmem object) an address space owns.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.CachedPageView")]
public readonly record struct CachedPageView(int Mapping, long Index, PageRef Page);
