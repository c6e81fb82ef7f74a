using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Nodes;

/// <summary>One live frame as the invariant check sees it: its counts, mapping and reverse map.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.FrameSnapshot")]
public sealed record FrameSnapshot(long Pfn, int Refcount, int Mapcount, int Mapping, long Index, PageFlags Flags, ulong Contents, PteRef[] Rmap);
