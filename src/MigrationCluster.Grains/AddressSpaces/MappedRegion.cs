using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A VMA as its creator sees it: where it starts, how long, what it maps.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MappedRegion")]
public sealed record MappedRegion(long Start, long Pages, VmaKind Kind, int Mapping, long PgOff, bool Writable)
{
    /// <summary>VM_LOCKED: mlock(2) holds its pages.</summary>
    [Id(6)]
    public bool Locked { get; init; }

    /// <summary>VM_LOCKONFAULT: mlock2(2) with MLOCK_ONFAULT.</summary>
    [Id(7)]
    public bool LockOnFault { get; init; }

    /// <summary>The order of the folios its write faults take (0: base pages).</summary>
    [Id(8)]
    public int FolioOrder { get; init; }

    /// <summary>The smaller orders a fault falls back to before a base page (bit n: order n).</summary>
    [Id(9)]
    public int FallbackOrders { get; init; }
}
