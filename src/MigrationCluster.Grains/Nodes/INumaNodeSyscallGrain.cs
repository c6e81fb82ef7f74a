using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// What the syscalls call on a NUMA node, from the address space grain that is their front end:
/// move_pages' and mbind's isolation and putback, and the frame side of munmap and truncate.
/// </summary>
[Alias("mc.INumaNodeSyscallGrain")]
public interface INumaNodeSyscallGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The page-count test and isolate_lru_page of move_pages and mbind, in one turn: a page
    /// mapped more than once stays unless <paramref name="migrateAll"/> (MPOL_MF_MOVE_ALL).
    /// </summary>
    [Alias("IsolateForMigration")]
    Task<IsolateResult> IsolateForMigration(long pfn, bool migrateAll);

    /// <summary>putback_movable_pages for this node's pages, in order: back on the LRU, isolation reference dropped. The node only reads <paramref name="pfns"/>.</summary>
    [Alias("PutbackMovablePages")]
    Task PutbackMovablePages([Immutable] long[] pfns);

    /// <summary>zap_pte_range's frame side: each PTE leaves its page's reverse map and drops its reference (in order). The node only reads the arrays.</summary>
    [Alias("ZapPtes")]
    Task ZapPtes([Immutable] PteRef[] ptes, [Immutable] long[] pfns);

    /// <summary>truncate_inode_pages, first half: locks the page and returns the PTEs that map it; null when it is locked already.</summary>
    [Alias("LockPageForTruncate")]
    Task<PteRef[]?> LockPageForTruncate(long pfn);

    /// <summary>truncate_inode_pages, second half: the PTEs (cleared by their address spaces) leave the rmap, the page leaves its file, is unlocked and released.</summary>
    [Alias("TruncatePage")]
    Task TruncatePage(long pfn, [Immutable] PteRef[] ptes);

    /// <summary>mlock_folio on each page, in order: one more VM_LOCKED mapping holds it (to the unevictable LRU). Only read.</summary>
    [Alias("MlockPages")]
    Task MlockPages([Immutable] long[] pfns);

    /// <summary>munlock_folio on each page, in order: a VM_LOCKED mapping lets go (the last one: back to an evictable LRU). Only read.</summary>
    [Alias("MunlockPages")]
    Task MunlockPages([Immutable] long[] pfns);

    /// <summary>isolate_migratepages_block for compaction: each page isolated, unevictable ones only with <paramref name="isolateUnevictable"/>. Only read.</summary>
    [Alias("IsolateForCompaction")]
    Task<bool[]> IsolateForCompaction([Immutable] long[] pfns, bool isolateUnevictable);

    /// <summary>fork's test per page (folio_needs_cow_for_dma): the contents of each page the child must get a copy of, null for those it shares.</summary>
    [Alias("PagesNeedingCowForDma")]
    Task<ulong?[]> PagesNeedingCowForDma([Immutable] long[] pfns);

    /// <summary>A new anonymous page here holding a copy, <paramref name="contents"/>, mapped by <paramref name="pte"/> (copy_present_page at fork, wp_page_copy, do_cow_fault); -1 when the node is full.</summary>
    [Alias("CopyPresentPage")]
    Task<long> CopyPresentPage(PteRef pte, int anonMapping, long index, ulong contents);
}
