using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Scenarios;

/// <summary>
/// The machine a scenario runs on, as <see cref="ScenarioRunner"/> drives it: the in-process model
/// (<see cref="ModelScenarioEngine"/>) or the grains (<see cref="GrainScenarioEngine"/>). Only the
/// operations live here; the scenario's logic (set-up order, expectations, what is reported) is the
/// runner's, written once. Both engines allocate in the same order, so a scenario reports the same
/// frames on either.
/// </summary>
public interface IScenarioEngine
{
    /// <summary>"model" or "grains".</summary>
    string Name { get; }

    /// <summary>A fresh machine as the scenario's topology and frames per node say.</summary>
    Task Start(ScenarioDefinition scenario);

    /// <summary>A process, with the id the scenario gave it (ids come in order from 0).</summary>
    Task CreateProcess(ScenarioProcess process);

    /// <summary>mmap(MAP_PRIVATE|MAP_ANONYMOUS): the region's first virtual page.</summary>
    Task<long> MapAnonPrivate(int pid, long pages, bool writable, int folioOrder, int fallbackOrders);

    /// <summary>mmap(MAP_SHARED|MAP_ANONYMOUS): the shmem object the process owns, and where it starts.</summary>
    Task<(int Mapping, long Start)> MapAnonShared(int pid, long pages);

    /// <summary>A new file the process owns, mapped shared: its mapping and where it starts.</summary>
    Task<(int Mapping, long Start)> MapFile(int pid, long pages, bool writable);

    /// <summary>A new file the process owns, mapped MAP_PRIVATE: its mapping and where it starts.</summary>
    Task<(int Mapping, long Start)> MapFilePrivate(int pid, long pages, bool writable);

    /// <summary>mmap(MAP_PRIVATE) of another process's file, from offset 0.</summary>
    Task<long> MapPrivate(int pid, int mapping, long pages, bool writable);

    /// <summary>mmap(MAP_SHARED) of another process's file or shmem object, from offset 0.</summary>
    Task<long> MapShared(int pid, int mapping, long pages, bool writable);

    /// <summary>A first touch (a write when <paramref name="value"/> is given) by a task of the process running on <paramref name="node"/> (null: its home node).</summary>
    Task<AccessResult> Touch(int pid, long virtualPage, int? node, ulong? value);

    Task<AccessResult> Read(int pid, long virtualPage);

    Task<AccessResult> Write(int pid, long virtualPage, ulong value);

    /// <summary>pin_user_pages (read-only): the page faulted in and referenced (DMA: the pin bias); the zero page is not pinned.</summary>
    Task<AccessResult> Pin(int pid, long virtualPage, bool dma);

    Task Unpin(PageRef page, bool dma);

    /// <summary>Marks a page under writeback, then dirty (re-dirtied during its I/O).</summary>
    Task SetPageState(PageRef page, bool writeback, bool dirty);

    Task<int> Munmap(int pid, long start, long pages);

    /// <summary>The process exits; a <paramref name="zombie"/> is not reaped (its pid still names it, with no mm).</summary>
    Task Exit(int pid, bool zombie);

    /// <summary>truncate_inode_pages from an index: 0, or -EAGAIN at a page or tree a migration holds.</summary>
    Task<int> Truncate(int mapping, long fromIndex);

    Task<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags, IReadOnlyList<int>? initialStatus);

    Task<int> MigratePages(int caller, int pid, IReadOnlyList<int> fromNodes, IReadOnlyList<int> toNodes);

    /// <summary>mbind(2): the mode word with its mode flags, the mask's set bits (null: NULL), maxnode and the MPOL_MF_* flags.</summary>
    Task<int> Mbind(int pid, long start, long pages, int mode, IReadOnlyList<int>? nodes, long maxnode, int flags);

    /// <summary>set_mempolicy(2) by the process's task.</summary>
    Task<int> SetMempolicy(int pid, int mode, IReadOnlyList<int>? nodes, long maxnode);

    /// <summary>get_mempolicy(2) by the process's task (<paramref name="virtualPage"/> null: addr 0).</summary>
    Task<GetMempolicyResult> GetMempolicy(int pid, bool wantNodemask, long maxnode, long? virtualPage, int flags);

    /// <summary>The process's task policy (null: none, the system default).</summary>
    Task<MemPolicy?> TaskPolicy(int pid);

    /// <summary>fork: the fresh process <paramref name="child"/> becomes a copy of <paramref name="parent"/>, sharing its private anonymous pages copy-on-write.</summary>
    Task Fork(int parent, int child);

    /// <summary>The process's cpuset memory nodes change: its policies are rebound.</summary>
    Task SetCpuset(int pid, IReadOnlyList<int> mems);

    /// <summary>mlock2(2) (mlock(2): flags 0) by the process's task on [start, start + pages).</summary>
    Task<int> Mlock(int pid, long start, long pages, int flags);

    /// <summary>munlock(2) by the process's task on [start, start + pages).</summary>
    Task<int> Munlock(int pid, long start, long pages);

    /// <summary>Compaction's isolation (isolate_migratepages_block) for the kernel-internal migrate_pages(): unevictable pages only with <paramref name="isolateUnevictable"/>.</summary>
    Task<bool> IsolateForCompaction(PageRef page, bool isolateUnevictable);

    /// <summary>The kernel-internal migrate_pages() on isolated pages, in order, with the vmstat counters it keeps.</summary>
    Task<MigrateResult> MigrateIsolated(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason);

    /// <summary>The machine's vmstat counters, by their /proc/vmstat names.</summary>
    Task<IReadOnlyDictionary<string, long>> VmStat();

    /// <summary>
    /// The simulated time of every migrate_pages call so far, added up: each call runs on one
    /// simulated CPU, its steps costed on the scenario's machine (docs/simulated-time.md).
    /// </summary>
    Task<long> MigrationSimulatedNs();

    /// <summary>The whole machine as the invariant checker reads it (the model live; the grains as a snapshot).</summary>
    Task<IMachineView> View();
}
