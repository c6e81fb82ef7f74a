using System.Runtime.CompilerServices;

namespace MigrationCluster.Memory.Pages;

/// <summary>Names a page frame across owners: the node that holds it and its frame number there.</summary>
public readonly record struct PageRef(int Node, long Pfn)
{
    /// <summary>No page (an empty radix-tree slot, a PTE that maps nothing).</summary>
    public static PageRef None => new(-1, -1);

    public bool IsNone => Node < 0;

    // Packs into one word for page tables and radix-tree slots: 0 stays "empty".
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Encode() => ((ulong)(uint)(Node + 1) << 40) | (ulong)Pfn;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static PageRef Decode(ulong word) =>
        word == 0 ? None : new PageRef((int)(word >> 40) - 1, (long)(word & PfnMask));

    internal const ulong PfnMask = (1UL << 40) - 1;

    public override string ToString() => $"{Node}:{Pfn}";
}
