namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>One address space for the invariant check and a scenario's report: its PTEs, VMAs and the page caches it owns.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.AddressSpaceSnapshot")]
public sealed record AddressSpaceSnapshot(int Space, bool Exited, PteSnapshot[] Ptes, MappedRegion[] Vmas, CachedPageView[] PageCache);
