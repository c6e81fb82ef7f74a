using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The owners of the data, as the protocol driver sees them: one method per step of the step
/// table, each on a whole batch. A step reads and writes the batch's page descriptors (per-page
/// result in <see cref="MigrationPage.Result"/>). The in-process backend completes at once; a grain
/// backend splits the batch by owner and makes a few grain calls per step.
/// </summary>
public interface IMigrationBackend
{
    /// <summary>Pages a sync mode has waited for under writeback so far (the clock charges for them).</summary>
    int WritebackWaits { get; }

    /// <summary>Step 1 on the old pages' nodes.</summary>
    ValueTask LockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force);

    /// <summary>Step 2 on the old pages' nodes.</summary>
    ValueTask WaitOnPageWriteback(Memory<MigrationPage> batch, MigrateMode mode, bool force);

    /// <summary>Step 3 on the target nodes.</summary>
    ValueTask LockNewPage(Memory<MigrationPage> batch);

    /// <summary>Step 4: rmap walk on the old nodes, PTEs to migration entries in each address space (appended to <paramref name="converted"/>), mapcount check.</summary>
    ValueTask TryToUnmap(Memory<MigrationPage> batch, List<MigrationPte> converted);

    /// <summary>Step 5 on the mapping owners.</summary>
    ValueTask RadixTreeLock(Memory<MigrationPage> batch);

    /// <summary>Step 6 on the old pages' nodes.</summary>
    ValueTask PageRefcountCheck(Memory<MigrationPage> batch);

    /// <summary>Step 7 on the mapping owners.</summary>
    ValueTask RadixTreeCheck(Memory<MigrationPage> batch);

    /// <summary>Step 8 on the target nodes.</summary>
    ValueTask PrepNewPage(Memory<MigrationPage> batch);

    /// <summary>Step 9 on the mapping owners.</summary>
    ValueTask RadixTreeReplace(Memory<MigrationPage> batch);

    /// <summary>Step 10 on both nodes.</summary>
    ValueTask PageRefTransfer(Memory<MigrationPage> batch);

    /// <summary>Step 11 on the mapping owners.</summary>
    ValueTask RadixTreeUnlock(Memory<MigrationPage> batch);

    /// <summary>Step 12: contents from the old nodes to the target nodes.</summary>
    ValueTask CopyPage(Memory<MigrationPage> batch);

    /// <summary>Step 13 on the target nodes.</summary>
    ValueTask CopyPageFlags(Memory<MigrationPage> batch);

    /// <summary>Step 14 on the old pages' nodes.</summary>
    ValueTask ClearPageFlags(Memory<MigrationPage> batch);

    /// <summary>Step 15 on the target nodes.</summary>
    ValueTask QueueWriteback(Memory<MigrationPage> batch);

    /// <summary>Step 16: the entries of <paramref name="converted"/> become PTEs to the new page (or back to the old one for a failed page).</summary>
    ValueTask RemoveMigrationPtes(Memory<MigrationPage> batch, ReadOnlyMemory<MigrationPte> converted);

    /// <summary>Step 19 on both nodes; woken waiters are appended in FIFO order.</summary>
    ValueTask UnlockPage(Memory<MigrationPage> batch, List<PageLockWaiter> woken);

    /// <summary>
    /// try_split_folio on an isolated large folio that got -ENOMEM or is partially mapped: split_huge_pmd in every
    /// address space that maps it by a PMD, then split_folio on its node. False when it cannot
    /// be split (a reference besides its mappings' and the isolation one: a pin).
    /// </summary>
    ValueTask<bool> SplitFolio(PageRef head, int order);

    /// <summary>
    /// folio_test_partially_mapped for each of <paramref name="heads"/> (isolated large folios of
    /// order above 1, by their heads): whether an unmap left it on the deferred-split list.
    /// </summary>
    ValueTask<bool[]> FoliosPartiallyMapped(IReadOnlyList<PageRef> heads);

    /// <summary>Step 20 on both nodes: LRU putback of new (or failed old) pages, freeing of old and unused new frames.</summary>
    ValueTask PutbackLruPage(Memory<MigrationPage> batch, bool keepRetries);
}
