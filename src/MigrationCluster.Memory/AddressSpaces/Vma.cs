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
        };

    public bool Contains(long virtualPage) => virtualPage >= Start && virtualPage < End;

    /// <summary>The index in the mapping (page->index) of a virtual page in this VMA.</summary>
    public long IndexOf(long virtualPage) => Kind == VmaKind.AnonPrivate ? virtualPage : PgOff + (virtualPage - Start);
}
