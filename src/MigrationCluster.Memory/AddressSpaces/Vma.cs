namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// A virtual memory area: [<see cref="Start"/>, <see cref="End"/>) in pages, its kind, the file
/// mapping it maps (from page <see cref="PgOff"/>) and its memory policy.
/// </summary>
public sealed class Vma
{
    public Vma(long start, long pages, VmaKind kind, int mapping, long pgOff, bool writable)
    {
        Start = start;
        Pages = pages;
        Kind = kind;
        Mapping = mapping;
        PgOff = pgOff;
        Writable = writable;
    }

    public long Start { get; }

    public long Pages { get; }

    public long End => Start + Pages;

    public VmaKind Kind { get; }

    /// <summary>The file mapping (file or shmem) this VMA maps; 0 for anonymous private memory.</summary>
    public int Mapping { get; }

    public long PgOff { get; }

    public bool Writable { get; }

    /// <summary>
    /// The order of the folios a write fault allocates here (0: base pages), where the folio's
    /// aligned range lies inside the VMA and is unmapped; else, or when no node has a free
    /// range, the fault takes a base page (private anonymous memory only).
    /// </summary>
    public int FolioOrder { get; set; }

    /// <summary>
    /// The smaller folio orders a write fault falls back to, high to low, when no node has a free
    /// range of <see cref="FolioOrder"/> (bit n: order n; the other enabled mTHP sizes of
    /// alloc_anon_folio), before a base page. 0: straight to a base page.
    /// </summary>
    public int FallbackOrders { get; set; }

    /// <summary>VM_LOCKED: mlock(2) holds the pages this VMA maps (they are unevictable).</summary>
    public bool Locked { get; set; }

    /// <summary>VM_LOCKONFAULT (mlock2 MLOCK_ONFAULT): pages are mlocked as they are faulted in, not populated at once.</summary>
    public bool LockOnFault { get; set; }

    /// <summary>The part [<paramref name="start"/>, <paramref name="end"/>) of this VMA as a VMA of its own (a split), with its flags.</summary>
    public Vma Slice(long start, long end) =>
        new(start, end - start, Kind, Mapping, Kind == VmaKind.AnonPrivate ? PgOff : PgOff + (start - Start), Writable)
        {
            Locked = Locked,
            LockOnFault = LockOnFault,
            FolioOrder = FolioOrder,
            FallbackOrders = FallbackOrders,
        };

    public bool Contains(long virtualPage) => virtualPage >= Start && virtualPage < End;

    /// <summary>The index in the mapping (page->index) of a virtual page in this VMA.</summary>
    public long IndexOf(long virtualPage) => Kind == VmaKind.AnonPrivate ? virtualPage : PgOff + (virtualPage - Start);
}
