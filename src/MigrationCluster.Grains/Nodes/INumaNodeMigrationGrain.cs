using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// What the migration coordinator calls on a NUMA node: isolate_lru_page, and the protocol steps
/// whose "where" in DESIGN.md's step table is the old page's node, the target node or both. Each
/// step takes the window of the batch whose pages live on this node (old or new) and hands it
/// back changed; within a silo it is the coordinator's own batch, by reference (<see cref="BatchRun"/>).
/// </summary>
[Alias("mc.INumaNodeMigrationGrain")]
public interface INumaNodeMigrationGrain : IGrainWithIntegerKey
{
    /// <summary>isolate_lru_page for each pfn: true where the page came off the LRU (with the isolation reference). The node only reads <paramref name="pfns"/>.</summary>
    [Alias("IsolateLruPages")]
    Task<bool[]> IsolateLruPages([Immutable] long[] pfns);

    /// <summary>Step 1, old node.</summary>
    [Alias("LockPage")]
    Task<BatchRun> LockPage(BatchRun run, MigrateMode mode, bool force, long waiterId);

    /// <summary>Step 2, old node.</summary>
    [Alias("WaitOnPageWriteback")]
    Task<WritebackResult> WaitOnPageWriteback(BatchRun run, MigrateMode mode, bool force);

    /// <summary>Step 3, target node.</summary>
    [Alias("LockNewPage")]
    Task<BatchRun> LockNewPage(BatchRun run);

    /// <summary>Step 4, before the PTE side: the PTEs that map this node's pages of the batch (the reverse map lives with the frames).</summary>
    [Alias("RmapWalk")]
    Task<RmapWalkResult> RmapWalk(BatchRun run, int batchOffset);

    /// <summary>Step 4, frame side: unmapped PTEs leave the rmap; then the mapcount check of this node's pages in the batch.</summary>
    [Alias("TryToUnmap")]
    Task<BatchRun> TryToUnmap(PteBatch unmapped, BatchRun batch);

    /// <summary>Step 6, old node.</summary>
    [Alias("PageRefcountCheck")]
    Task<BatchRun> PageRefcountCheck(BatchRun run);

    /// <summary>Step 8, target node.</summary>
    [Alias("PrepNewPage")]
    Task<BatchRun> PrepNewPage(BatchRun run);

    /// <summary>Step 10, old node.</summary>
    [Alias("PageRefTransferFrom")]
    Task<BatchRun> PageRefTransferFrom(BatchRun run);

    /// <summary>Step 10, target node.</summary>
    [Alias("PageRefTransferTo")]
    Task<BatchRun> PageRefTransferTo(BatchRun run);

    /// <summary>Step 12, old side: the contents leave the old frames (in the returned pages).</summary>
    [Alias("CopyPageFrom")]
    Task<BatchRun> CopyPageFrom(BatchRun run);

    /// <summary>Step 12, target side.</summary>
    [Alias("CopyPageTo")]
    Task<BatchRun> CopyPageTo(BatchRun run);

    /// <summary>Step 13, target node.</summary>
    [Alias("CopyPageFlags")]
    Task<BatchRun> CopyPageFlags(BatchRun run);

    /// <summary>Step 14, old node.</summary>
    [Alias("ClearPageFlags")]
    Task<BatchRun> ClearPageFlags(BatchRun run);

    /// <summary>Step 15, target node.</summary>
    [Alias("QueueWriteback")]
    Task<BatchRun> QueueWriteback(BatchRun run);

    /// <summary>Step 16, frame side: the restored PTEs join the reverse map of the page each now maps.</summary>
    [Alias("RemoveMigrationPtes")]
    Task RemoveMigrationPtes(PteBatch restored, BatchRun batch);

    /// <summary>Step 19, both nodes: the page locks drop and their sleepers wake.</summary>
    [Alias("UnlockPage")]
    Task<UnlockResult> UnlockPage(BatchRun run, bool newPages);

    /// <summary>Step 20, both nodes.</summary>
    [Alias("PutbackLruPage")]
    Task<BatchRun> PutbackLruPage(BatchRun run, bool keepRetries, bool newPages);

    /// <summary>
    /// try_split_folio's node side on an isolated large folio: null when it cannot be split (a
    /// pin); else it is split, and the PTEs that map its pages are returned for split_huge_pmd.
    /// </summary>
    [Alias("SplitFolio")]
    Task<PteRef[]?> SplitFolio(long head);

    /// <summary>folio_test_partially_mapped for each head in <paramref name="heads"/>.</summary>
    [ReadOnly]
    [Alias("FoliosPartiallyMapped")]
    Task<bool[]> FoliosPartiallyMapped(long[] heads);
}
