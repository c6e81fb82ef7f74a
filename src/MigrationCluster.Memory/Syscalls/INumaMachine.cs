using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// What <see cref="NumaSyscalls"/> needs of the machine, so that the kernel's code is written once
/// and runs on the in-process model (<see cref="ModelMachine"/>) and over grains (the grains'
/// implementation lives with them). The target's address space is at hand (get_task_mm: the
/// syscall runs where that address space is, so its page table is read directly); everything on
/// another process or on a node may be a call away, hence the ValueTasks.
/// </summary>
public interface INumaMachine
{
    /// <summary>The nodes with memory, by id: the root cpuset's mems and the valid migration targets.</summary>
    IReadOnlyList<int> NodesWithMemory { get; }

    /// <summary>find_task_by_vpid: a process that exists and has not exited, with its credentials and cpuset; null otherwise.</summary>
    ValueTask<TaskInfo?> FindTask(int pid);

    /// <summary>get_task_mm of a task <see cref="FindTask"/> found: the address space the syscall walks.</summary>
    AddressSpaceMemory TaskMm(int pid);

    /// <summary>nr_node_ids: one more than the highest node id.</summary>
    int NrNodeIds { get; }

    /// <summary>The nodes an allocation by <paramref name="space"/>'s task under <paramref name="policy"/> with interleave index <paramref name="ilx"/> tries, in order.</summary>
    IReadOnlyList<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long ilx);

    /// <summary>shmem_get_policy: the shared policy of a shmem object at a page index (null: none), wherever its owner is.</summary>
    ValueTask<MemPolicy?> ShmemGetPolicy(int mapping, long index);

    /// <summary>shmem_set_policy (mpol_set_shared_policy): the object's policy over [start, end) of its indexes; null removes it.</summary>
    ValueTask ShmemSetPolicy(int mapping, long start, long end, MemPolicy? policy);

    /// <summary>
    /// get_user_pages of one page of the target (a fault if it is not present; with
    /// <paramref name="write"/>, FOLL_WRITE: a write fault that breaks copy-on-write and dirties
    /// the page, its contents kept): 0 and the page (none for the zero page), or a negative errno.
    /// </summary>
    ValueTask<(int Errno, PageRef Page)> GetUserPage(int pid, long virtualPage, bool write = false);

    /// <summary>mlock_folio (<paramref name="mlock"/>) or munlock_folio on each page, in order, on its node.</summary>
    ValueTask MlockPages(IReadOnlyList<PageRef> pages, bool mlock);

    /// <summary>The free frames a node has now.</summary>
    ValueTask<long> FreePages(int node);

    /// <summary>
    /// The mapcount test and isolate_lru_page on a page, in one step on its node: a page mapped
    /// more than once is left alone unless <paramref name="migrateAll"/> (MPOL_MF_MOVE_ALL).
    /// </summary>
    ValueTask<IsolateResult> IsolateForMigration(PageRef page, bool migrateAll);

    /// <summary>putback_movable_pages: isolated pages that will not be migrated go back to their LRU lists.</summary>
    ValueTask PutbackMovablePages(IReadOnlyList<PageRef> pages);

    /// <summary>migrate_pages() on isolated pages (in the given order), with the vmstat counters it keeps.</summary>
    ValueTask<MigrateResult> MigratePages(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason);
}
