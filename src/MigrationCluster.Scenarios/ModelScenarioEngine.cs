using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Scenarios;

/// <summary>A scenario on the in-process model: a <see cref="MemorySystem"/> and <see cref="NumaSyscalls"/> over a <see cref="ModelMachine"/>.</summary>
/// <param name="machine">A described machine to cost migrations on (null: the SLIT-derived model).</param>
public sealed class ModelScenarioEngine(MachineProfile? machine = null) : IScenarioEngine
{
    private MemorySystem? _system;
    private ModelMachine? _machine;
    private NumaSyscalls? _syscalls;

    public string Name => "model";

    /// <summary>The model (tests reach behind it to break an invariant on purpose).</summary>
    public MemorySystem System => _system ?? throw new InvalidOperationException("the model engine has not started");

    private ModelMachine Machine => _machine ?? throw new InvalidOperationException("the model engine has not started");

    private NumaSyscalls Syscalls => _syscalls ?? throw new InvalidOperationException("the model engine has not started");

    public Task Start(ScenarioDefinition scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _system = new MemorySystem(scenario.Topology, new MemorySystemOptions { FramesPerNode = scenario.FramesPerNode, Machine = machine })
        {
            InterleaveWeights = scenario.InterleaveWeights,
        };
        _machine = new ModelMachine(_system);
        _syscalls = new NumaSyscalls(_machine);
        return Task.CompletedTask;
    }

    public Task CreateProcess(ScenarioProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        AddressSpaceMemory space = System.CreateAddressSpace(process.HomeNode, process.Privileged);
        if (space.Id != process.Id)
        {
            throw new InvalidOperationException($"process {process.Name} got address space {space.Id}, expected {process.Id}");
        }

        space.MemsAllowed = process.Cpuset;
        return Task.CompletedTask;
    }

    public Task<long> MapAnonPrivate(int pid, long pages, bool writable, int folioOrder, int fallbackOrders) =>
        Task.FromResult(System.Space(pid).AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable, folioOrder: folioOrder, fallbackOrders: fallbackOrders).Start);

    public Task<(int Mapping, long Start)> MapAnonShared(int pid, long pages)
    {
        Vma shared = System.MmapAnon(pid, pages, shared: true);
        return Task.FromResult((shared.Mapping, shared.Start));
    }

    public Task<(int Mapping, long Start)> MapFile(int pid, long pages, bool writable)
    {
        int mapping = System.CreateFile(pid);
        return Task.FromResult((mapping, System.MmapShared(pid, mapping, 0, pages, writable).Start));
    }

    public Task<(int Mapping, long Start)> MapFilePrivate(int pid, long pages, bool writable)
    {
        int mapping = System.CreateFile(pid);
        return Task.FromResult((mapping, System.MmapFilePrivate(pid, mapping, 0, pages, writable).Start));
    }

    public Task<long> MapPrivate(int pid, int mapping, long pages, bool writable) =>
        Task.FromResult(System.MmapFilePrivate(pid, mapping, 0, pages, writable).Start);

    public Task<long> MapShared(int pid, int mapping, long pages, bool writable) =>
        Task.FromResult(System.MmapShared(pid, mapping, 0, pages, writable).Start);

    public Task<AccessResult> Touch(int pid, long virtualPage, int? node, ulong? value)
    {
        AddressSpaceMemory space = System.Space(pid);
        int home = space.HomeNode;
        try
        {
            // The faulting task runs on the given node, so the page is allocated as from there.
            space.HomeNode = node ?? home;
            return Task.FromResult(value is { } v ? System.Write(pid, virtualPage, v) : System.Read(pid, virtualPage));
        }
        finally
        {
            space.HomeNode = home;
        }
    }

    public Task<AccessResult> Read(int pid, long virtualPage) => Task.FromResult(System.Read(pid, virtualPage));

    public Task<AccessResult> Write(int pid, long virtualPage, ulong value) => Task.FromResult(System.Write(pid, virtualPage, value));

    public Task<AccessResult> Pin(int pid, long virtualPage, bool dma) => Task.FromResult(System.Pin(pid, virtualPage, dma));

    public Task Unpin(PageRef page, bool dma)
    {
        System.Unpin(page, dma);
        return Task.CompletedTask;
    }

    public Task SetPageState(PageRef page, bool writeback, bool dirty)
    {
        if (writeback)
        {
            System.Node(page.Node).SetPageWriteback(page.Pfn);
        }

        if (dirty)
        {
            System.Node(page.Node).SetFlags(page.Pfn, PageFlags.Dirty);
        }

        return Task.CompletedTask;
    }

    public Task<int> Munmap(int pid, long start, long pages) => Task.FromResult(System.Munmap(pid, start, pages));

    public Task Exit(int pid, bool zombie)
    {
        System.Exit(pid, zombie);
        return Task.CompletedTask;
    }

    public Task<int> Truncate(int mapping, long fromIndex)
    {
        AccessResult r = System.Truncate(mapping, fromIndex);
        return Task.FromResult(r.Status switch
        {
            AccessStatus.Done => 0,
            AccessStatus.Wait => -Errno.EAGAIN,
            _ => r.Errno,
        });
    }

    public async Task<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags, IReadOnlyList<int>? initialStatus) =>
        await Syscalls.MovePages(caller, pid, pages, nodes, flags, initialStatus);

    public async Task<int> MigratePages(int caller, int pid, IReadOnlyList<int> fromNodes, IReadOnlyList<int> toNodes) =>
        await Syscalls.MigratePagesSyscall(caller, pid, fromNodes, toNodes);

    public async Task<int> Mbind(int pid, long start, long pages, int mode, IReadOnlyList<int>? nodes, long maxnode, int flags) =>
        await Syscalls.Mbind(pid, start, pages, mode, nodes, maxnode, flags);

    public async Task<int> SetMempolicy(int pid, int mode, IReadOnlyList<int>? nodes, long maxnode) =>
        await Syscalls.SetMempolicy(pid, mode, nodes, maxnode);

    public async Task<GetMempolicyResult> GetMempolicy(int pid, bool wantNodemask, long maxnode, long? virtualPage, int flags) =>
        await Syscalls.GetMempolicy(pid, wantNodemask, maxnode, virtualPage, flags);

    public Task<MemPolicy?> TaskPolicy(int pid) => Task.FromResult(System.Space(pid).TaskPolicy);

    public Task Fork(int parent, int child)
    {
        System.Fork(parent, child);
        return Task.CompletedTask;
    }

    public Task SetCpuset(int pid, IReadOnlyList<int> mems)
    {
        NumaSyscalls.CpusetUpdateTaskNodemask(System.Space(pid), mems, System.NodesWithMemory);
        return Task.CompletedTask;
    }

    public async Task<int> Mlock(int pid, long start, long pages, int flags) =>
        await Syscalls.Mlock(pid, start, pages, flags);

    public async Task<int> Munlock(int pid, long start, long pages) =>
        await Syscalls.Munlock(pid, start, pages);

    public Task<bool> IsolateForCompaction(PageRef page, bool isolateUnevictable) =>
        Task.FromResult(System.Node(page.Node).IsolateForCompaction(page.Pfn, isolateUnevictable));

    public async Task<MigrateResult> MigrateIsolated(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason) =>
        await Machine.MigratePages(pages, mode, reason);

    public Task<IReadOnlyDictionary<string, long>> VmStat() => Task.FromResult(System.VmStatSnapshot());

    public Task<long> MigrationSimulatedNs() => Task.FromResult(Machine.MigrationSimulatedNs);

    public Task<IMachineView> View() => Task.FromResult<IMachineView>(new ModelMachineView(System));
}
