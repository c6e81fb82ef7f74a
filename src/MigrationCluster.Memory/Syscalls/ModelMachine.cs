using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// The in-process machine: a <see cref="MemorySystem"/> and the protocol driver over
/// <see cref="InProcessMigrationBackend"/>. Each migrate_pages call runs on a simulated clock of its
/// own, costed by the system's <see cref="MemorySystem.Cost"/> as a coordinator grain costs it, so
/// both engines give the same simulated times.
/// </summary>
public sealed class ModelMachine : INumaMachine
{
    private readonly MemorySystem _system;
    private readonly InProcessMigrationBackend _backend;
    private readonly IMigrationObserver? _observer;
    private readonly MigrationProtocolOptions? _options;

    public ModelMachine(MemorySystem system, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _backend = new InProcessMigrationBackend(system);
        _observer = observer;
        _options = options;
        options?.Validate();
        NodesWithMemory = system.NodesWithMemory;
    }

    /// <summary>The simulated time of every migrate_pages call so far, added up (each ran on one simulated CPU).</summary>
    public long MigrationSimulatedNs { get; private set; }

    public IReadOnlyList<int> NodesWithMemory { get; }

    public ValueTask<TaskInfo?> FindTask(int pid) => ValueTask.FromResult(
        _system.TryGetSpace(pid, out AddressSpaceMemory space) && (!space.Exited || space.Zombie)
            ? new TaskInfo(pid, space.Privileged, _system.CpusetMemsAllowed(space)) { HasMm = !space.Exited }
            : null);

    public AddressSpaceMemory TaskMm(int pid) => _system.Space(pid);

    public int NrNodeIds => _system.Topology.NodeIdLimit;

    public IReadOnlyList<int> AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long ilx) => [.. _system.AllocationOrder(space, policy, ilx)];

    public ValueTask<MemPolicy?> ShmemGetPolicy(int mapping, long index) =>
        ValueTask.FromResult(_system.Space(PageMapping.FileOwner(mapping)).SharedPolicyOf(mapping).Lookup(index));

    public ValueTask ShmemSetPolicy(int mapping, long start, long end, MemPolicy? policy)
    {
        _system.Space(PageMapping.FileOwner(mapping)).SharedPolicyOf(mapping).Set(start, end, policy);
        return ValueTask.CompletedTask;
    }

    public ValueTask<(int Errno, PageRef Page)> GetUserPage(int pid, long virtualPage, bool write = false)
    {
        AccessResult r = _system.GupAccess(pid, virtualPage, write);
        return ValueTask.FromResult(r.Status switch
        {
            AccessStatus.Done => (0, r.Page),
            AccessStatus.Wait => (-Errno.EAGAIN, PageRef.None),
            _ => (r.Errno, PageRef.None),
        });
    }

    public ValueTask MlockPages(IReadOnlyList<PageRef> pages, bool mlock)
    {
        ArgumentNullException.ThrowIfNull(pages);
        foreach (PageRef page in pages)
        {
            if (mlock)
            {
                _system.Node(page.Node).MlockPage(page.Pfn);
            }
            else
            {
                _system.Node(page.Node).MunlockPage(page.Pfn);
            }
        }

        return ValueTask.CompletedTask;
    }

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
        var protocol = new MigrationProtocol(_backend, _observer, _options, new MigrationClock(_system.Cost));
        MigrateResult result = await protocol.MigratePages(pages, mode, reason);
        _system.VmStat.Count(result.VmEvents);
        MigrationSimulatedNs += result.SimulatedNs;
        return result;
    }
}
