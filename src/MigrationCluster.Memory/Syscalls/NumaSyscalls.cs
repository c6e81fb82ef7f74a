using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// move_pages(2), migrate_pages(2) and mbind(2) as a user sees them, over an
/// <see cref="INumaMachine"/>: the in-process model (<see cref="ModelMachine"/>) or the grains.
/// Errors follow the manual pages, returned as negative errno values.
/// Each call is written as the kernel does it, in the order it does it: move_pages as
/// mm/migrate.c (NumaSyscalls.Migrate.cs), migrate_pages and mbind as mm/mempolicy.c
/// (NumaSyscalls.Mempolicy.cs). The caller is an address space: its
/// <see cref="AddressSpaceMemory.Privileged"/> is CAP_SYS_NICE, and every process runs as a user
/// of its own, so acting on another process takes that capability.
/// </summary>
public sealed partial class NumaSyscalls
{
    private readonly INumaMachine _machine;

    public NumaSyscalls(MemorySystem system, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
        : this(new ModelMachine(system, observer, options))
    {
    }

    public NumaSyscalls(INumaMachine machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        _machine = machine;
    }

    /// <summary>find_task_by_vpid: a process that exists and has not exited (null otherwise).</summary>
    private ValueTask<TaskInfo?> FindTask(int pid) => _machine.FindTask(pid);

    /// <summary>capable(CAP_SYS_NICE) of the calling process.</summary>
    private async ValueTask<bool> Capable(int caller) => await FindTask(caller) is { Privileged: true };

    /// <summary>
    /// ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS): a process may act on itself; on
    /// another (another user's) process only with the capability.
    /// </summary>
    private async ValueTask<bool> PtraceMayAccess(int caller, int pid) => caller == pid || await Capable(caller);

    /// <summary>cpuset_mems_allowed of a process (the root cpuset's nodes for one that does not exist).</summary>
    private async ValueTask<IReadOnlyList<int>> CpusetMemsAllowed(int pid) => await FindTask(pid) is { } task
        ? task.MemsAllowed
        : _machine.NodesWithMemory;

    /// <summary>Online with memory: a valid migration target (else move_pages says -ENODEV).</summary>
    private bool NodeHasMemory(int node) => _machine.NodesWithMemory.Contains(node);

    /// <summary>migrate_pages() on isolated pages, with the vmstat counters it keeps.</summary>
    private ValueTask<MigrateResult> Migrate(List<MigrationRequest> batch, MigrateMode mode, MigrateReason reason) =>
        _machine.MigratePages(batch, mode, reason);

    /// <summary>putback_movable_pages: isolated pages that will not be migrated go back to their LRU lists.</summary>
    private async ValueTask PutbackMovablePages(List<MigrationRequest> pagelist)
    {
        await _machine.PutbackMovablePages([.. pagelist.Select(q => q.Page)]);
        pagelist.Clear();
    }
}
