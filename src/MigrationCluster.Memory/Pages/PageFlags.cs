namespace MigrationCluster.Memory.Pages;

/// <summary>The struct page flags the model keeps (the kernel's PG_* bits that migration touches).</summary>
[Flags]
public enum PageFlags : ushort
{
    None = 0,
    Locked = 1 << 0,
    Uptodate = 1 << 1,
    Dirty = 1 << 2,
    Writeback = 1 << 3,
    Lru = 1 << 4,
    Active = 1 << 5,
    Referenced = 1 << 6,
    Private = 1 << 7,
    SwapBacked = 1 << 8,
    Unevictable = 1 << 9,
    Isolated = 1 << 10,

    /// <summary>PageBuddy: the frame is on its node's free list.</summary>
    Buddy = 1 << 11,

    /// <summary>PG_mlocked: a VM_LOCKED mapping holds the page (mlock(2)); it is unevictable.</summary>
    Mlocked = 1 << 12,

    /// <summary>
    /// PG_partially_mapped (Linux 6.12), on a large anonymous folio's head: an unmap left some
    /// but not all of its pages mapped and the folio is on the deferred-split list. It stays
    /// until the folio is split or freed; migrate_pages_batch() splits such a folio first.
    /// </summary>
    PartiallyMapped = 1 << 13,

    /// <summary>
    /// Flags the new page ends with after <c>migrate_page_states</c> (PG_unevictable carried
    /// over) and <c>remove_migration_ptes</c>, which mlocks it again for each VM_LOCKED mapping.
    /// </summary>
    Migrated = Uptodate | Dirty | Active | Referenced | SwapBacked | Unevictable | Mlocked,
}
