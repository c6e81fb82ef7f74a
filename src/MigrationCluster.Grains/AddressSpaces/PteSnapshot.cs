using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>One non-empty PTE, whole (the invariant check reads the writable bit too).</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.PteSnapshot")]
public readonly record struct PteSnapshot(long VirtualPage, PteKind Kind, PageRef Page, bool Writable, bool Huge = false);
