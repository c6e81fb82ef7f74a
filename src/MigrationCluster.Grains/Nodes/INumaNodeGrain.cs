using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// One NUMA node (key: node id): its page frames, free list, LRU lists and page locks. Address
/// spaces call it to fault pages in and to read and write them; the migration coordinator calls
/// its protocol steps, each on a run of a batch (pages of this node, in batch order).
/// </summary>
[Alias("mc.INumaNodeGrain")]
public interface INumaNodeGrain : IGrainWithIntegerKey
{
    Task Configure(NodeConfiguration configuration);

    [ReadOnly]
    Task<NodeStatus> GetStatus();

    [ReadOnly]
    Task<FrameSnapshot[]> SnapshotFrames();

    // ---- accessors (address spaces) ----

    /// <summary>Faults in an anonymous page for <paramref name="pte"/>: a new frame, mapped once, on the LRU. -1 when the node is full.</summary>
    Task<long> FaultAnonPage(PteRef pte, int anonMapping, long index);

    /// <summary>
    /// Write faults on a run of anonymous pages at once (mmap's MAP_POPULATE): a new frame for each
    /// PTE, mapped once, on the LRU. The pfns in order; -1 from the first one the node had no room for.
    /// </summary>
    Task<long[]> FaultAnonPages(PteRef[] ptes, int anonMapping);

    /// <summary>A new page-cache frame for (mapping, index), holding the cache's reference. -1 when the node is full.</summary>
    Task<long> AllocatePageCachePage(int mapping, long index, bool swapBacked);

    /// <summary>
    /// filemap_fault's lock_page and rmap: locks the page-cache page and adds <paramref name="pte"/>
    /// to its reverse map. The fault installs its PTE and then calls <see cref="UnlockFaultedPage"/>;
    /// holding the lock meanwhile keeps a migration from unmapping a PTE that is not there yet.
    /// </summary>
    Task<MapResult> LockAndMapPageCachePage(long pfn, int mapping, long index, PteRef pte);

    Task UnlockFaultedPage(long pfn);

    /// <summary>
    /// A load or store through <paramref name="pte"/>. Refused (not live) once try_to_unmap has
    /// taken that PTE off the page: the TLB flush guarantee, so no write lands after copy_page.
    /// </summary>
    Task<AccessOutcome> Access(long pfn, PteRef pte, bool write, ulong value);

    /// <summary>
    /// Returns once the page is unlocked (at once if it is not locked): a fault on a migration
    /// entry sleeps here, queued FIFO behind the page lock, as migration_entry_wait does.
    /// </summary>
    [AlwaysInterleave]
    Task WaitOnPageLocked(long pfn, PteRef pte, bool write);

    /// <summary>get_user_pages: extra references on a page (a driver holding it for I/O); <see cref="Unpin"/> drops them.</summary>
    Task Pin(long pfn, int references);

    Task Unpin(long pfn, int references);

    /// <summary>isolate_lru_page for each pfn: true where the page came off the LRU (with the isolation reference). The node only reads <paramref name="pfns"/>.</summary>
    Task<bool[]> IsolateLruPages([Immutable] long[] pfns);

    // ---- migrate_pages steps (see DESIGN.md's step table) ----
    // Each takes the window of the batch whose pages live on this node (old or new) and hands it
    // back changed; within a silo it is the coordinator's own batch, by reference (BatchRun).

    Task<BatchRun> LockPage(BatchRun run, MigrateMode mode, bool force, long waiterId);

    Task<WritebackResult> WaitOnPageWriteback(BatchRun run, MigrateMode mode, bool force);

    Task<BatchRun> LockNewPage(BatchRun run);

    Task<RmapWalkResult> RmapWalk(BatchRun run, int batchOffset);

    /// <summary>Step 4, frame side: unmapped PTEs leave the rmap; then the mapcount check of this node's pages in the batch.</summary>
    Task<BatchRun> TryToUnmap(PteBatch unmapped, BatchRun batch);

    Task<BatchRun> PageRefcountCheck(BatchRun run);

    Task<BatchRun> PrepNewPage(BatchRun run);

    Task<BatchRun> PageRefTransferFrom(BatchRun run);

    Task<BatchRun> PageRefTransferTo(BatchRun run);

    /// <summary>Step 12, old side: the contents leave the old frames (in the returned pages).</summary>
    Task<BatchRun> CopyPageFrom(BatchRun run);

    Task<BatchRun> CopyPageTo(BatchRun run);

    Task<BatchRun> CopyPageFlags(BatchRun run);

    Task<BatchRun> ClearPageFlags(BatchRun run);

    Task<BatchRun> QueueWriteback(BatchRun run);

    Task RemoveMigrationPtes(PteBatch restored, BatchRun batch);

    Task<UnlockResult> UnlockPage(BatchRun run, bool newPages);

    Task<BatchRun> PutbackLruPage(BatchRun run, bool keepRetries, bool newPages);

    // ---- syscalls, munmap, truncate and scenario set-up ----

    /// <summary>
    /// The page-count test and isolate_lru_page of move_pages and mbind, in one turn: a page
    /// mapped more than once stays unless <paramref name="migrateAll"/> (MPOL_MF_MOVE_ALL).
    /// </summary>
    Task<IsolateResult> IsolateForMigration(long pfn, bool migrateAll);

    /// <summary>putback_movable_pages for this node's pages, in order: back on the LRU, isolation reference dropped.</summary>
    Task PutbackMovablePages(long[] pfns);

    /// <summary>zap_pte_range's frame side: each PTE leaves its page's reverse map and drops its reference (in order).</summary>
    Task ZapPtes(PteRef[] ptes, long[] pfns);

    /// <summary>fork's copy_present_pte on this node: each PTE adds its rmap entry and reference on its page.</summary>
    [Alias("AddRmap")]
    Task AddRmap(PteRef[] ptes, long[] pfns);

    /// <summary>do_wp_page's reuse test on a write-protected anonymous page (wp_can_reuse_anon_folio).</summary>
    [ReadOnly]
    [Alias("WpCanReuseAnonPage")]
    Task<bool> WpCanReuseAnonPage(long pfn);

    /// <summary>truncate_inode_pages, first half: locks the page and returns the PTEs that map it; null when it is locked already.</summary>
    Task<PteRef[]?> LockPageForTruncate(long pfn);

    /// <summary>truncate_inode_pages, second half: the PTEs (cleared by their address spaces) leave the rmap, the page leaves its file, is unlocked and released.</summary>
    Task TruncatePage(long pfn, PteRef[] ptes);

    /// <summary>Marks a page under writeback and/or dirty (a scenario's set-up).</summary>
    Task SetPageState(long pfn, bool writeback, bool dirty);

    /// <summary>The whole node for the invariant check: counts, and every frame that is not a plain free frame.</summary>
    [ReadOnly]
    Task<NodeSnapshot> SnapshotNode();
}
