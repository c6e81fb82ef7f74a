using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>One non-empty page-table entry, for where-is-my-page queries and the invariant check.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.PageTableEntryView")]
public readonly record struct PageTableEntryView(long VirtualPage, PteKind Kind, PageRef Page, VmaKind VmaKind, int Mapping, long Index);
