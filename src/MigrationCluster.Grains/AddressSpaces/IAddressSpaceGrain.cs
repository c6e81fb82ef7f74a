using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// One process (key: address space id): its page table, VMAs and the file mappings (radix trees)
/// it owns, and the tasks that read and write its memory. The migration coordinator calls its
/// PTE and radix-tree steps; other address spaces call it for the page cache of files it owns.
/// </summary>
[Alias("mc.IAddressSpaceGrain")]
public interface IAddressSpaceGrain : IGrainWithIntegerKey
{
    Task Configure(AddressSpaceConfiguration configuration);

    /// <summary>The scheduler moved the process: its tasks now run on (and allocate near) another node.</summary>
    Task MoveTo(AddressSpaceConfiguration configuration);

    Task<MappedRegion> MmapAnon(long pages, bool shared);

    /// <summary>mmap(MAP_PRIVATE|MAP_ANONYMOUS), read-only when not <paramref name="writable"/>.</summary>
    Task<MappedRegion> MmapAnonPrivate(long pages, bool writable);

    /// <summary>
    /// mmap with MAP_POPULATE: private anonymous memory whose pages are all write-faulted at once,
    /// along the process's allocation order, a few grain calls for the whole region.
    /// </summary>
    Task<MappedRegion> MmapAnonPopulate(long pages);

    /// <summary>A new file whose page cache this address space holds; returns its mapping id.</summary>
    Task<int> CreateFile();

    Task<MappedRegion> MmapShared(int mapping, long pgOff, long pages, bool writable);

    /// <summary>mmap(MAP_PRIVATE) of a file: its pages are the file's until this process writes them.</summary>
    [Alias("MmapFilePrivate")]
    Task<MappedRegion> MmapFilePrivate(int mapping, long pgOff, long pages, bool writable);

    /// <summary>One load or store by a task, with its faults, sleeps on page locks and retries.</summary>
    Task<AccessReport> Access(long virtualPage, bool write, ulong value);

    /// <summary>Runs a workload's tasks side by side and reports what they saw.</summary>
    [ResponseTimeout("00:10:00")]
    Task<WorkloadReport> RunWorkload(WorkloadSpec spec);

    /// <summary>Ends the running workloads that go on until stopped (they finish their current access).</summary>
    [AlwaysInterleave]
    Task StopWorkloads();

    [ReadOnly]
    Task<PageTableEntryView[]> GetPageTable();

    [ReadOnly]
    Task<MappedRegion[]> GetRegions();

    /// <summary>
    /// The page each present PTE maps, in virtual-page order: where the process's memory is (what
    /// move_pages' query mode reports, with the pfns), without the rest of the page table.
    /// </summary>
    [ReadOnly]
    Task<PageRef[]> PresentPages();

    // ---- page cache of the files this address space owns ----

    /// <summary>The page at (mapping, index), allocated (nearest node first) and inserted if absent.</summary>
    Task<PageRef> FindOrCreatePageCachePage(int mapping, long index, int[] allocationOrder, bool swapBacked);

    // ---- migrate_pages steps ----

    /// <summary>Step 4, PTE side: present PTEs become migration entries; returns those converted.</summary>
    Task<PteBatch> TryToUnmap(PteBatch ptes, BatchRun batch);

    /// <summary>Step 16, PTE side: migration entries become PTEs to the new page (or back to the old one).</summary>
    Task RemoveMigrationPtes(PteBatch ptes, BatchRun batch);

    // The radix-tree steps take the whole batch and change only the pages of the mappings this space owns.

    Task<BatchRun> RadixTreeLock(BatchRun batch);

    Task<BatchRun> RadixTreeCheck(BatchRun batch);

    Task<BatchRun> RadixTreeReplace(BatchRun batch);

    Task<BatchRun> RadixTreeUnlock(BatchRun batch);

    // ---- syscalls: this address space's grain is the front end of the calls that target it ----

    /// <summary>This process's credentials and cpuset for another process's syscall; null when it does not exist or has exited.</summary>
    [ReadOnly]
    Task<TaskCredentials?> GetTask();

    /// <summary>move_pages(2) on this process by <paramref name="caller"/> (<paramref name="nodes"/> null: query only).</summary>
    [ResponseTimeout("00:05:00")]
    Task<MovePagesReply> MovePages(int caller, long[] pages, int[]? nodes, int flags, int[]? initialStatus);

    /// <summary>migrate_pages(2) on this process by <paramref name="caller"/>: the pages not moved, or -errno.</summary>
    [ResponseTimeout("00:05:00")]
    Task<int> MigratePages(int caller, int[] fromNodes, int[] toNodes);

    /// <summary>mbind(2) by this process on [start, start + pages): 0 or -errno.</summary>
    [ResponseTimeout("00:05:00")]
    Task<int> Mbind(long start, long pages, MemPolicyMode mode, int[] nodes, int flags);

    /// <summary>mbind(2) with the raw arguments: the mode word with its mode flags, the mask's set bits (null: NULL) and maxnode.</summary>
    [ResponseTimeout("00:05:00")]
    [Alias("MbindNodemask")]
    Task<int> MbindNodemask(long start, long pages, int mode, int[]? nodes, long maxnode, int flags);

    /// <summary>set_mempolicy(2) by this process's task: 0 or -errno.</summary>
    [Alias("SetMempolicy")]
    Task<int> SetMempolicy(int mode, int[]? nodes, long maxnode);

    /// <summary>get_mempolicy(2) by this process's task (<paramref name="virtualPage"/> null: addr 0).</summary>
    [Alias("GetMempolicy")]
    Task<GetMempolicyReply> GetMempolicy(bool wantNodemask, long maxnode, long? virtualPage, int flags);

    /// <summary>The task policy (current->mempolicy); null: none, the system default.</summary>
    [ReadOnly]
    [Alias("GetTaskPolicy")]
    Task<MemPolicyView?> GetTaskPolicy();

    /// <summary>The task's cpuset memory nodes change (cpuset.mems): its policies are rebound.</summary>
    [Alias("SetCpusetMems")]
    Task SetCpusetMems(int[] mems);

    /// <summary>shmem_get_policy on a shmem object this process owns: its policy at a page index, or null.</summary>
    [ReadOnly]
    [Alias("ShmemGetPolicy")]
    Task<MemPolicyView?> ShmemGetPolicy(int mapping, long index);

    /// <summary>shmem_set_policy on a shmem object this process owns, over [start, end) of its indexes (null: MPOL_DEFAULT).</summary>
    [Alias("ShmemSetPolicy")]
    Task ShmemSetPolicy(int mapping, long start, long end, MemPolicyView? policy);

    /// <summary>i_size in pages of a file or shmem object this process owns (a fault at or past it is SIGBUS).</summary>
    [ReadOnly]
    [Alias("FileSize")]
    Task<long> FileSize(int mapping);

    /// <summary>fork: the process <paramref name="child"/> (a fresh address space grain) gets a copy of this one, sharing its private anonymous pages copy-on-write.</summary>
    [Alias("Fork")]
    Task Fork(int child);

    /// <summary>The child's side of fork: its mappings and PTEs as the parent's dup_mmap made them.</summary>
    [Alias("AdoptFork")]
    Task AdoptFork(ForkImage image);

    /// <summary>The vmstat events this process caused: its faults and the migrations its syscalls ran.</summary>
    [ReadOnly]
    Task<IReadOnlyDictionary<string, long>> GetVmStat();

    // ---- munmap, exit, truncate ----

    /// <summary>munmap(2) of [start, start + pages): 0, or -EINVAL for an empty range.</summary>
    Task<int> Munmap(long start, long pages);

    /// <summary>exit_mmap: every mapping goes, and the process is gone for the syscalls (-ESRCH).</summary>
    Task Exit();

    /// <summary>exit_mmap as <see cref="Exit"/>, but the parent has not reaped the process: a zombie, found by its pid, with no mm.</summary>
    [Alias("ExitZombie")]
    Task ExitZombie();

    /// <summary>Clears these PTEs (a truncation of a file another process owns unmaps them under the page lock).</summary>
    Task ClearPtes(long[] virtualPages);

    /// <summary>truncate_inode_pages of a file this process owns, from an index: 0, or -EAGAIN at a page a migration holds.</summary>
    Task<int> Truncate(int mapping, long fromIndex);

    /// <summary>The whole address space for the invariant check: PTEs, VMAs and the page caches it owns.</summary>
    [ReadOnly]
    Task<AddressSpaceSnapshot> Snapshot();
}
