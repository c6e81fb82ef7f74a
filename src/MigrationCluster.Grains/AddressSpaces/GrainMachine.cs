using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// The machine as the syscalls see it from an address space grain, the syscall's front end: the
/// target's page table is this grain's own (<paramref name="self"/>); another process's
/// credentials and cpuset are a call to its grain; the per-page questions (mapcount, isolation,
/// putback, free frames) are calls to the node grains; the migration goes through the
/// migration coordinator. The <see cref="ModelMachine"/> twin of <see cref="GrainMigrationBackend"/>'s kind.
/// </summary>
internal sealed class GrainMachine(IGrainFactory grains, AddressSpaceMemory self, MachineLayout layout, VmStat vmStat, Func<long, bool, Task<AccessReport>> access, Action<long> migrated) : INumaMachine
{
    public IReadOnlyList<int> NodesWithMemory => layout.NodesWithMemory;

    public int NrNodeIds => layout.FallbackOrders.Length;

    public async ValueTask<TaskInfo?> FindTask(int pid)
    {
        if (pid == self.Id)
        {
            return self.Exited && !self.Zombie ? null : new TaskInfo(pid, self.Privileged, AllocationNodes.CpusetMemsAllowed(self.MemsAllowed, layout.NodesWithMemory)) { HasMm = !self.Exited };
        }

        if (pid < 0)
        {
            return null;
        }

        var task = await grains.GetGrain<IAddressSpaceSyscallGrain>(pid).GetTask();
        return task is null ? null : new TaskInfo(pid, task.Privileged, task.MemsAllowed) { HasMm = !task.Zombie };
    }

    public AddressSpaceMemory TaskMm(int pid) => pid == self.Id
        ? self
        : throw new InvalidOperationException($"address space {self.Id} runs a syscall on process {pid}: the target's own grain is the front end");

    public IReadOnlyList<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long ilx) => layout.AllocationOrder(space, policy, ilx);

    public async ValueTask<MemPolicy?> ShmemGetPolicy(int mapping, long index)
    {
        int owner = PageMapping.FileOwner(mapping);
        return owner == self.Id
            ? self.SharedPolicyOf(mapping).Lookup(index)
            : (await grains.GetGrain<IAddressSpaceAccessGrain>(owner).ShmemGetPolicy(mapping, index))?.ToPolicy();
    }

    public async ValueTask ShmemSetPolicy(int mapping, long start, long end, MemPolicy? policy)
    {
        int owner = PageMapping.FileOwner(mapping);
        if (owner == self.Id)
        {
            self.SharedPolicyOf(mapping).Set(start, end, policy);
        }
        else
        {
            await grains.GetGrain<IAddressSpaceAccessGrain>(owner).ShmemSetPolicy(mapping, start, end, MemPolicyView.Of(policy));
        }
    }

    public async ValueTask<(int Errno, PageRef Page)> GetUserPage(int pid, long virtualPage, bool write = false)
    {
        if (pid != self.Id)
        {
            throw new InvalidOperationException($"address space {self.Id} faults a page of process {pid}: get_user_pages runs in the target");
        }

        AccessReport r = await access(virtualPage, write);
        // vm_fault_to_errno: VM_FAULT_SIGBUS is -EFAULT to get_user_pages.
        return (r.Errno == -Errno.SIGBUS ? -Errno.EFAULT : r.Errno, r.Errno != 0 ? PageRef.None : r.Page);
    }

    public async ValueTask MlockPages(IReadOnlyList<PageRef> pages, bool mlock)
    {
        ArgumentNullException.ThrowIfNull(pages);
        // One call per node, each node's pages in walk order.
        await Task.WhenAll(pages.GroupBy(p => p.Node).Select(g => mlock
            ? Node(g.Key).MlockPages([.. g.Select(p => p.Pfn)])
            : Node(g.Key).MunlockPages([.. g.Select(p => p.Pfn)])));
    }

    public async ValueTask<long> FreePages(int node) => (await grains.GetGrain<INumaNodeInspectionGrain>(node).GetStatus()).FreePages;

    public async ValueTask<IsolateResult> IsolateForMigration(PageRef page, bool migrateAll) =>
        await Node(page.Node).IsolateForMigration(page.Pfn, migrateAll);

    public async ValueTask PutbackMovablePages(IReadOnlyList<PageRef> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        // One call per node, each node's pages in list order (the order the frames go back in).
        await Task.WhenAll(pages.GroupBy(p => p.Node).Select(g => Node(g.Key).PutbackMovablePages([.. g.Select(p => p.Pfn)])));
    }

    public async ValueTask<MigrateResult> MigratePages(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason)
    {
        ArgumentNullException.ThrowIfNull(pages);
        // On the coordinator that lives with the first page's node: a run of pages from one node
        // (the usual move_pages call) keeps its old-page steps on that node's silo.
        var coordinator = pages.Count > 0 ? pages[0].Page.Node : 0;
        var run = await grains.GetGrain<IMigrationCoordinatorGrain>(coordinator).MigrateIsolatedPages([.. pages], mode, reason);
        // This process's share of /proc/vmstat: what the call's migrate_pages() counted.
        vmStat.Count(run.VmEvents);
        migrated(run.SimulatedNs);
        return new MigrateResult(run.ReturnValue, run.Succeeded, run.Failed, run.Passes, mode, reason, run.PageErrno, run.NewPages, run.VmEvents) { SimulatedNs = run.SimulatedNs };
    }

    private INumaNodeSyscallGrain Node(int node) => grains.GetGrain<INumaNodeSyscallGrain>(node);
}
