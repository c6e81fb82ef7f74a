using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Nodes;

/// <summary>One live frame as the invariant check sees it: its counts, mapping and reverse map.</summary>
/// <param name="Order">folio_order of the folio the frame belongs to (a tail's refcount is 0: its head holds the folio's).</param>
[GenerateSerializer]
[Immutable]
[Alias("mc.FrameSnapshot")]
public sealed record FrameSnapshot(long Pfn, int Refcount, int Mapcount, int Mapping, long Index, PageFlags Flags, ulong Contents, PteRef[] Rmap, int Order = 0);
