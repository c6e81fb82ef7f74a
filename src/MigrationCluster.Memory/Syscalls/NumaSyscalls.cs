using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// move_pages(2), migrate_pages(2) and mbind(2) as a user sees them, over a <see cref="MemorySystem"/>
/// and the protocol driver. Errors follow the manual pages, returned as negative errno values.
/// Each call is written as the kernel does it, in the order it does it: move_pages as
/// mm/migrate.c (NumaSyscalls.Migrate.cs), migrate_pages and mbind as mm/mempolicy.c
/// (NumaSyscalls.Mempolicy.cs). The caller is an address space: its
/// <see cref="AddressSpaceMemory.Privileged"/> is CAP_SYS_NICE, and every process runs as a user
/// of its own, so acting on another process takes that capability.
/// </summary>
public sealed partial class NumaSyscalls
{
    private readonly MemorySystem _system;
    private readonly MigrationProtocol _protocol;

    public NumaSyscalls(MemorySystem system, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _protocol = new MigrationProtocol(new InProcessMigrationBackend(system), observer, options);
    }

    /// <summary>find_task_by_vpid: a process that exists and has not exited.</summary>
    private bool FindTask(int pid, out AddressSpaceMemory space) => _system.TryGetSpace(pid, out space) && !space.Exited;

    /// <summary>capable(CAP_SYS_NICE) of the calling process.</summary>
    private bool Capable(int caller) => FindTask(caller, out AddressSpaceMemory s) && s.Privileged;

    /// <summary>
    /// ptrace_may_access(task, PTRACE_MODE_READ_REALCREDS): a process may act on itself; on
    /// another (another user's) process only with the capability.
    /// </summary>
    private bool PtraceMayAccess(int caller, int pid) => caller == pid || Capable(caller);

    /// <summary>cpuset_mems_allowed of a process (the root cpuset's nodes for one that does not exist).</summary>
    private IReadOnlyList<int> CpusetMemsAllowed(int pid) => FindTask(pid, out AddressSpaceMemory s)
        ? _system.CpusetMemsAllowed(s)
        : [.. _system.Nodes.Where(n => n.Capacity > 0).Select(n => n.Id)];

    /// <summary>migrate_pages() on isolated pages, with the vmstat counters it keeps.</summary>
    private async ValueTask<MigrateResult> Migrate(List<MigrationRequest> batch, MigrateMode mode, MigrateReason reason)
    {
        MigrateResult result = await _protocol.MigratePages(batch, mode, reason);
        _system.VmStat.PgmigrateSuccess += result.Succeeded;
        _system.VmStat.PgmigrateFail += result.Failed;
        return result;
    }

    /// <summary>putback_movable_pages: isolated pages that will not be migrated go back to their LRU lists.</summary>
    private void PutbackMovablePages(List<MigrationRequest> pagelist)
    {
        foreach (MigrationRequest q in pagelist)
        {
            NodeMemory node = _system.Node(q.Page.Node);
            node.LruAdd(q.Page.Pfn);
            node.PutPage(q.Page.Pfn);
        }

        pagelist.Clear();
    }
}
