using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// The system calls on a process: this address space's grain is the front end of the calls that
/// target it (mmap, move_pages, migrate_pages, mbind, munmap, exit, truncate), and answers the
/// parts of other processes' calls that reach it (its credentials, PTEs a truncation clears).
/// </summary>
[Alias("mc.IAddressSpaceSyscallGrain")]
public interface IAddressSpaceSyscallGrain : IGrainWithIntegerKey
{
    [Alias("MmapAnon")]
    Task<MappedRegion> MmapAnon(long pages, bool shared);

    /// <summary>
    /// mmap(MAP_PRIVATE|MAP_ANONYMOUS), read-only when not <paramref name="writable"/>; write
    /// faults take folios of <paramref name="folioOrder"/>, else of the <paramref name="fallbackOrders"/> (bit n: order n), high to low.
    /// </summary>
    [Alias("MmapAnonPrivate")]
    Task<MappedRegion> MmapAnonPrivate(long pages, bool writable, int folioOrder = 0, int fallbackOrders = 0);

    /// <summary>
    /// mmap with MAP_POPULATE: private anonymous memory whose pages are all write-faulted at once,
    /// along the process's allocation order, a few grain calls for the whole region.
    /// </summary>
    [Alias("MmapAnonPopulate")]
    Task<MappedRegion> MmapAnonPopulate(long pages);

    /// <summary>A new file whose page cache this address space holds; returns its mapping id.</summary>
    [Alias("CreateFile")]
    Task<int> CreateFile();

    [Alias("MmapShared")]
    Task<MappedRegion> MmapShared(int mapping, long pgOff, long pages, bool writable);

    /// <summary>This process's credentials and cpuset for another process's syscall; null when it does not exist or has exited.</summary>
    [ReadOnly]
    [Alias("GetTask")]
    Task<TaskCredentials?> GetTask();

    /// <summary>move_pages(2) on this process by <paramref name="caller"/> (<paramref name="nodes"/> null: query only).</summary>
    [ResponseTimeout("00:05:00")]
    [Alias("MovePages")]
    Task<MovePagesReply> MovePages(int caller, long[] pages, int[]? nodes, int flags, int[]? initialStatus);

    /// <summary>migrate_pages(2) on this process by <paramref name="caller"/>: the pages not moved, or -errno.</summary>
    [ResponseTimeout("00:05:00")]
    [Alias("MigratePages")]
    Task<int> MigratePages(int caller, int[] fromNodes, int[] toNodes);

    /// <summary>mbind(2) by this process on [start, start + pages): 0 or -errno.</summary>
    [ResponseTimeout("00:05:00")]
    [Alias("Mbind")]
    Task<int> Mbind(long start, long pages, MemPolicyMode mode, int[] nodes, int flags);

    /// <summary>mlock2(2) by this process on [start, start + pages) (mlock(2) is flags 0): 0 or -errno.</summary>
    [ResponseTimeout("00:05:00")]
    [Alias("Mlock")]
    Task<int> Mlock(long start, long pages, int flags);

    /// <summary>munlock(2) by this process on [start, start + pages): 0 or -errno.</summary>
    [Alias("Munlock")]
    Task<int> Munlock(long start, long pages);

    /// <summary>munmap(2) of [start, start + pages): 0, or -EINVAL for an empty range.</summary>
    [Alias("Munmap")]
    Task<int> Munmap(long start, long pages);

    /// <summary>exit_mmap: every mapping goes, and the process is gone for the syscalls (-ESRCH).</summary>
    [Alias("Exit")]
    Task Exit();

    /// <summary>Clears these PTEs (a truncation of a file another process owns unmaps them under the page lock). Only read.</summary>
    [Alias("ClearPtes")]
    Task ClearPtes([Immutable] long[] virtualPages);

    /// <summary>unmap_mapping_range(even_cows) over this process's MAP_PRIVATE VMAs of a file: PTEs at file indexes from <paramref name="fromIndex"/> on are zapped, copy-on-write copies included.</summary>
    [Alias("UnmapMappingRange")]
    Task UnmapMappingRange(int mapping, long fromIndex);

    /// <summary>truncate_inode_pages of a file this process owns, from an index: 0, or -EAGAIN at a page a migration holds.</summary>
    [Alias("Truncate")]
    Task<int> Truncate(int mapping, long fromIndex);

    /// <summary>mmap(MAP_PRIVATE) of a file: its pages are the file's until this process writes them.</summary>
    [Alias("MmapFilePrivate")]
    Task<MappedRegion> MmapFilePrivate(int mapping, long pgOff, long pages, bool writable);

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

    /// <summary>fork: the process <paramref name="child"/> (a fresh address space grain) gets a copy of this one, sharing its private anonymous pages copy-on-write.</summary>
    [Alias("Fork")]
    Task Fork(int child);

    /// <summary>exit_mmap as <see cref="Exit"/>, but the parent has not reaped the process: a zombie, found by its pid, with no mm.</summary>
    [Alias("ExitZombie")]
    Task ExitZombie();
}
