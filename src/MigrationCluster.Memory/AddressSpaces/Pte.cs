using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>What a page-table entry holds.</summary>
public enum PteKind
{
    None = 0,
    Present = 1,

    /// <summary>A swap-format entry that names the page being migrated; a fault on it waits.</summary>
    Migration = 2,

    /// <summary>
    /// The shared zero page, mapped read-only by a read fault on private anonymous memory
    /// (do_anonymous_page). It has no frame of its own: <see cref="Pte.Page"/> means nothing, and
    /// a write replaces it with a new page (do_wp_page).
    /// </summary>
    ZeroPage = 3,
}

/// <summary>
/// One page-table entry, packed in a word: kind (2 bits), writable (1), huge (1), page (node, pfn).
/// A PMD-mapped folio is one PMD in the kernel; here each of its pages keeps an entry with
/// <see cref="Huge"/> set, and every change to them (unmap to a PMD migration entry, remap,
/// split_huge_pmd) rewrites all of them at once, so they read as the one PMD they stand for.
/// </summary>
public readonly record struct Pte(PteKind Kind, PageRef Page, bool Writable, bool Huge = false)
{
    private const int HugeBit = 60;

    public static Pte None => default;

    public static Pte Present(PageRef page, bool writable, bool huge = false) => new(PteKind.Present, page, writable, huge);

    public static Pte MigrationEntry(PageRef page, bool writable, bool huge = false) => new(PteKind.Migration, page, writable, huge);

    /// <summary>A read-only PTE to the shared zero page (its page field stays empty).</summary>
    public static Pte ZeroPage => new(PteKind.ZeroPage, default, false);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Encode() => Kind == PteKind.None
        ? 0
        : ((ulong)Kind << 62) | (Writable ? 1UL << 61 : 0) | (Huge ? 1UL << HugeBit : 0) | Page.Encode();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Pte Decode(ulong word) => word == 0
        ? default
        : new Pte((PteKind)(word >> 62), PageRef.Decode(word & ((1UL << HugeBit) - 1)), (word & (1UL << 61)) != 0, (word & (1UL << HugeBit)) != 0);
}
