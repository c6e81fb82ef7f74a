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
internal sealed class GrainMachine(IGrainFactory grains, AddressSpaceMemory self, MachineLayout layout, VmStat vmStat) : INumaMachine
{
    public IReadOnlyList<int> NodesWithMemory => layout.NodesWithMemory;

    public async ValueTask<TaskInfo?> FindTask(int pid)
    {
        if (pid == self.Id)
        {
            return self.Exited ? null : new TaskInfo(pid, self.Privileged, AllocationNodes.CpusetMemsAllowed(self.MemsAllowed, layout.NodesWithMemory));
        }

        if (pid < 0)
        {
            return null;
        }

        var task = await grains.GetGrain<IAddressSpaceSyscallGrain>(pid).GetTask();
        return task is null ? null : new TaskInfo(pid, task.Privileged, task.MemsAllowed);
    }

    public AddressSpaceMemory TaskMm(int pid) => pid == self.Id
        ? self
        : throw new InvalidOperationException($"address space {self.Id} runs a syscall on process {pid}: the target's own grain is the front end");

    public IReadOnlyList<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long index) => layout.AllocationOrder(space, policy, index);

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
        return new MigrateResult(run.ReturnValue, run.Succeeded, run.Failed, run.Passes, mode, reason, run.PageErrno, run.NewPages, run.VmEvents);
    }

    private INumaNodeSyscallGrain Node(int node) => grains.GetGrain<INumaNodeSyscallGrain>(node);
}
