using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>The in-process machine: a <see cref="MemorySystem"/> and the protocol driver over <see cref="InProcessMigrationBackend"/>.</summary>
public sealed class ModelMachine : INumaMachine
{
    private readonly MemorySystem _system;
    private readonly MigrationProtocol _protocol;

    public ModelMachine(MemorySystem system, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _protocol = new MigrationProtocol(new InProcessMigrationBackend(system), observer, options);
        NodesWithMemory = system.NodesWithMemory;
    }

    public IReadOnlyList<int> NodesWithMemory { get; }

    public ValueTask<TaskInfo?> FindTask(int pid) => ValueTask.FromResult(
        _system.TryGetSpace(pid, out AddressSpaceMemory space) && !space.Exited
            ? new TaskInfo(pid, space.Privileged, _system.CpusetMemsAllowed(space))
            : null);

    public AddressSpaceMemory TaskMm(int pid) => _system.Space(pid);

    public IReadOnlyList<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long index) => [.. _system.AllocationOrder(space, policy, index)];

    public ValueTask<long> FreePages(int node) => ValueTask.FromResult((long)_system.Node(node).FreePages);

    public ValueTask<IsolateResult> IsolateForMigration(PageRef page, bool migrateAll) =>
        ValueTask.FromResult(_system.Node(page.Node).IsolateForMigration(page.Pfn, migrateAll));

    public ValueTask PutbackMovablePages(IReadOnlyList<PageRef> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        foreach (PageRef page in pages)
        {
            _system.Node(page.Node).PutbackMovablePage(page.Pfn);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<MigrateResult> MigratePages(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason)
    {
        MigrateResult result = await _protocol.MigratePages(pages, mode, reason);
        _system.VmStat.Count(result.VmEvents);
        return result;
    }
}
