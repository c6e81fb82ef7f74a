using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A VMA as its creator sees it: where it starts, how long, what it maps.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MappedRegion")]
public sealed record MappedRegion(long Start, long Pages, VmaKind Kind, int Mapping, long PgOff, bool Writable, int FolioOrder = 0);
