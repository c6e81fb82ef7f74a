using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// What a process's tasks call on a NUMA node (from their address space grain): page faults,
/// loads and stores, sleeps on a page lock, and get_user_pages pins.
/// </summary>
[Alias("mc.INumaNodeAccessGrain")]
public interface INumaNodeAccessGrain : IGrainWithIntegerKey
{
    /// <summary>Faults in an anonymous page for <paramref name="pte"/>: a new frame, mapped once, on the LRU. -1 when the node is full.</summary>
    [Alias("FaultAnonPage")]
    Task<long> FaultAnonPage(PteRef pte, int anonMapping, long index);

    /// <summary>
    /// Write faults on a run of anonymous pages at once (mmap's MAP_POPULATE): a new frame for each
    /// PTE, mapped once, on the LRU. The pfns in order; -1 from the first one the node had no room for.
    /// The node only reads <paramref name="ptes"/>.
    /// </summary>
    [Alias("FaultAnonPages")]
    Task<long[]> FaultAnonPages([Immutable] PteRef[] ptes, int anonMapping);

    /// <summary>A new page-cache frame for (mapping, index), holding the cache's reference. -1 when the node is full.</summary>
    [Alias("AllocatePageCachePage")]
    Task<long> AllocatePageCachePage(int mapping, long index, bool swapBacked);

    /// <summary>
    /// filemap_fault's lock_page and rmap: locks the page-cache page and adds <paramref name="pte"/>
    /// to its reverse map. The fault installs its PTE and then calls <see cref="UnlockFaultedPage"/>;
    /// holding the lock meanwhile keeps a migration from unmapping a PTE that is not there yet.
    /// </summary>
    [Alias("LockAndMapPageCachePage")]
    Task<MapResult> LockAndMapPageCachePage(long pfn, int mapping, long index, PteRef pte);

    [Alias("UnlockFaultedPage")]
    Task UnlockFaultedPage(long pfn);

    /// <summary>
    /// A load or store through <paramref name="pte"/>. Refused (not live) once try_to_unmap has
    /// taken that PTE off the page: the TLB flush guarantee, so no write lands after copy_page.
    /// </summary>
    [Alias("Access")]
    Task<AccessOutcome> Access(long pfn, PteRef pte, bool write, ulong value);

    /// <summary>follow_page with FOLL_TOUCH for get_user_pages through <paramref name="pte"/>: the page marked accessed and, with FOLL_WRITE, dirty; its contents untouched.</summary>
    [Alias("FollowPage")]
    Task<AccessOutcome> FollowPage(long pfn, PteRef pte, bool write);

    /// <summary>The page's contents, for a copy (copy_user_highpage's source side): no flag changes.</summary>
    [Alias("ReadPage")]
    Task<ulong> ReadPage(long pfn);

    /// <summary>
    /// Returns once the page is unlocked (at once if it is not locked): a fault on a migration
    /// entry sleeps here, queued FIFO behind the page lock, as migration_entry_wait does.
    /// </summary>
    [AlwaysInterleave]
    [Alias("WaitOnPageLocked")]
    Task WaitOnPageLocked(long pfn, PteRef pte, bool write);

    /// <summary>
    /// migration_entry_wait in simulated time: queues the task on the page lock (FIFO, as
    /// <see cref="WaitOnPageLocked"/>) and returns at once, true if it queued (the page is locked).
    /// No host thread waits: unlock_page reports the waiter and the simulated clock wakes the task.
    /// </summary>
    [Alias("SleepOnPageLock")]
    Task<bool> SleepOnPageLock(long pfn, PteRef pte, bool write);

    /// <summary>get_user_pages: extra references on a page (a driver holding it for I/O); <see cref="Unpin"/> drops them.</summary>
    [Alias("Pin")]
    Task Pin(long pfn, int references);

    [Alias("Unpin")]
    Task Unpin(long pfn, int references);

    /// <summary>fork's copy_present_pte on this node: each PTE adds its rmap entry and reference on its page.</summary>
    [Alias("AddRmap")]
    Task AddRmap(PteRef[] ptes, long[] pfns);

    /// <summary>do_wp_page's reuse test on a write-protected anonymous page (wp_can_reuse_anon_folio).</summary>
    [ReadOnly]
    [Alias("WpCanReuseAnonPage")]
    Task<bool> WpCanReuseAnonPage(long pfn);
}
