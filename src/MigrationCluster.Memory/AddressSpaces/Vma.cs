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

    public bool Contains(long virtualPage) => virtualPage >= Start && virtualPage < End;

    /// <summary>The index in the mapping (page->index) of a virtual page in this VMA.</summary>
    public long IndexOf(long virtualPage) => Kind == VmaKind.AnonPrivate ? virtualPage : PgOff + (virtualPage - Start);
}
