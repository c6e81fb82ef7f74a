using System.Runtime.InteropServices;

namespace MigrationCluster.Memory.Pages;

/// <summary>
/// One struct page, kept compact (52 bytes) so a node's frames are one array. The reverse map's
/// common single-mapping case sits inline (<see cref="RmapSpace"/>, <see cref="RmapVirtualPage"/>);
/// frames mapped more than once keep their PTE list in the node's overflow table.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct PageFrame
{
    /// <summary>page->index: offset in the file mapping, or the virtual page for anonymous memory.</summary>
    public long Index;

    /// <summary>The compact contents word (<see cref="PageContents"/>).</summary>
    public ulong Contents;

    /// <summary>Virtual page of the single inline reverse-map entry.</summary>
    public long RmapVirtualPage;

    /// <summary>page_count: every PTE, the page cache, private data, isolation and pins hold one.</summary>
    public int Refcount;

    /// <summary>page_mapcount: the number of PTEs that map this frame (0-based, unlike the kernel's -1).</summary>
    public int Mapcount;

    /// <summary>page->mapping, encoded by <see cref="PageMapping"/>.</summary>
    public int Mapping;

    /// <summary>Address space id + 1 of the inline reverse-map entry; 0 none; -1 the list is in the overflow table.</summary>
    public int RmapSpace;

    /// <summary>Links of the LRU list or the free list this frame is on (frame indexes, -1 none).</summary>
    public int LruPrev;

    public int LruNext;

    public PageFlags Flags;

    /// <summary>
    /// folio_order of the folio this frame belongs to (0: a base page). Every frame of a large
    /// folio carries it; the head is the frame whose pfn is aligned to the folio's size, and the
    /// folio's reference count lives on the head only (the tails keep 0), as folio_ref_count does.
    /// </summary>
    public byte Order;

    public readonly bool Has(PageFlags flag) => (Flags & flag) != 0;
}

/// <summary>Encodes page->mapping in one int: 0 is NULL, positive a file mapping, negative anonymous.</summary>
public static class PageMapping
{
    public const int None = 0;

    /// <summary>File mappings an address space can own; a mapping id names its owner (for routing to it).</summary>
    public const int MaxFilesPerSpace = 4096;

    public static int File(int ownerSpaceId, int localIndex) => ((ownerSpaceId + 1) * MaxFilesPerSpace) + localIndex;

    public static int FileOwner(int mapping) => (mapping / MaxFilesPerSpace) - 1;

    /// <summary>The address space whose radix tree (file) or anon_vma (anonymous) this mapping belongs to; -1 for NULL.</summary>
    public static int Owner(int mapping) => mapping > 0 ? FileOwner(mapping) : mapping < 0 ? AnonOwner(mapping) : -1;

    public static int Anon(int addressSpaceId) => -(addressSpaceId + 1);

    public static bool IsAnon(int mapping) => mapping < 0;

    public static bool IsFile(int mapping) => mapping > 0;

    public static int AnonOwner(int mapping) => -mapping - 1;
}
