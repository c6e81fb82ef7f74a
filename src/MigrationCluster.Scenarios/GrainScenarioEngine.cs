using MigrationCluster.Memory.Machines;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Invariants;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Scenarios;

/// <summary>
/// A scenario on the grains of a running cluster: one <see cref="INumaNodeGrain"/> per node and one
/// <see cref="IAddressSpaceGrain"/> per process (keyed by node id and pid, reconfigured afresh by
/// <see cref="Start"/> and <see cref="CreateProcess"/>, so one silo runs scenario after scenario).
/// The syscalls run in the target's address space grain; the kernel-internal migrate_pages() goes
/// to the migration coordinator.
/// </summary>
/// <param name="machine">A described machine the coordinators cost migrations on (null: the SLIT-derived model).</param>
public sealed class GrainScenarioEngine(IGrainFactory grains, MachineProfile? machine = null) : IScenarioEngine
{
    // Latencies are not part of a scenario's result; any positive figure will do.
    private const double LocalAccessNs = 80;

    private readonly List<ScenarioProcess> _processes = [];
    private NumaTopology? _topology;
    private MachineLayout? _layout;
    private int[] _nodes = [];
    // The migrations the scenario's own `migrate` calls ran (the syscalls' are counted by the processes).
    private VmStat _internalMigrations = new();
    private long _internalMigrationNs;

    public string Name => "grains";

    private NumaTopology Topology => _topology ?? throw new InvalidOperationException("the grain engine has not started");

    public async Task Start(ScenarioDefinition scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _topology = scenario.Topology;
        _processes.Clear();
        _internalMigrations = new VmStat();
        _internalMigrationNs = 0;
        _nodes = [.. Topology.Nodes.Select(n => n.Id).Order()];
        _layout = new MachineLayout(
            [.. Topology.Nodes.Where(n => n.HasMemory).Select(n => n.Id).Order()],
            [.. Enumerable.Range(0, Topology.NodeIdLimit).Select(id => Topology.Contains(id) ? Topology.FallbackOrder(id).ToArray() : [])],
            [.. scenario.InterleaveWeights]);
        foreach (NumaNodeInfo node in Topology.Nodes)
        {
            await Node(node.Id).Configure(new NodeConfiguration(node.HasMemory ? scenario.FramesPerNode : 0));
        }
        // The coordinators cost their steps on this machine's distances, as the model costs them on its topology.
        int[][] distances = [.. Enumerable.Range(0, Topology.NodeIdLimit).Select(a => Enumerable.Range(0, Topology.NodeIdLimit)
            .Select(b => Topology.Contains(a) && Topology.Contains(b) ? Topology.Distance(a, b) : a == b ? NumaTopology.LocalDistance : 20).ToArray())];
        await grains.GetMachineMonitor().ConfigureMachine(new MachineDescription(distances, scenario.FramesPerNode, $"scenario '{scenario.Name}'", machine));
    }

    public async Task CreateProcess(ScenarioProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (process.Id != _processes.Count)
        {
            throw new InvalidOperationException($"process {process.Name} has id {process.Id}, expected {_processes.Count}");
        }

        _processes.Add(process);
        await Space(process.Id).Configure(Configuration(process, process.HomeNode));
    }

    public async Task<long> MapAnonPrivate(int pid, long pages, bool writable, int folioOrder, int fallbackOrders) => (await Space(pid).MmapAnonPrivate(pages, writable, folioOrder, fallbackOrders)).Start;

    public async Task<(int Mapping, long Start)> MapAnonShared(int pid, long pages)
    {
        MappedRegion region = await Space(pid).MmapAnon(pages, shared: true);
        return (region.Mapping, region.Start);
    }

    public async Task<(int Mapping, long Start)> MapFile(int pid, long pages, bool writable)
    {
        int mapping = await Space(pid).CreateFile();
        return (mapping, (await Space(pid).MmapShared(mapping, 0, pages, writable)).Start);
    }

    public async Task<(int Mapping, long Start)> MapFilePrivate(int pid, long pages, bool writable)
    {
        int mapping = await Space(pid).CreateFile();
        return (mapping, (await Space(pid).MmapFilePrivate(mapping, 0, pages, writable)).Start);
    }

    public async Task<long> MapPrivate(int pid, int mapping, long pages, bool writable) =>
        (await Space(pid).MmapFilePrivate(mapping, 0, pages, writable)).Start;

    public async Task<long> MapShared(int pid, int mapping, long pages, bool writable) =>
        (await Space(pid).MmapShared(mapping, 0, pages, writable)).Start;

    public async Task<AccessResult> Touch(int pid, long virtualPage, int? node, ulong? value)
    {
        ScenarioProcess process = _processes[pid];
        if (node is not { } runsOn || runsOn == process.HomeNode)
        {
            return await Access(pid, virtualPage, value);
        }

        // The scheduler puts the faulting task on that node for the touch, then back.
        await Space(pid).MoveTo(Configuration(process, runsOn));
        try
        {
            return await Access(pid, virtualPage, value);
        }
        finally
        {
            await Space(pid).MoveTo(Configuration(process, process.HomeNode));
        }
    }

    public Task<AccessResult> Read(int pid, long virtualPage) => Access(pid, virtualPage, null);

    public Task<AccessResult> Write(int pid, long virtualPage, ulong value) => Access(pid, virtualPage, value);

    public async Task<AccessResult> Pin(int pid, long virtualPage, bool dma)
    {
        AccessResult r = await Access(pid, virtualPage, null);
        if (r.Status == AccessStatus.Error && r.Errno == -Errno.SIGBUS)
        {
            // vm_fault_to_errno: get_user_pages turns VM_FAULT_SIGBUS into -EFAULT.
            return AccessResult.Fail(-Errno.EFAULT);
        }

        // A read-only pin of the zero page takes no reference (try_grab_folio skips it).
        if (r.Status == AccessStatus.Done && !r.Page.IsNone)
        {
            await Node(r.Page.Node).Pin(r.Page.Pfn, dma ? NodeMemory.GupPinCountingBias : 1);
        }

        return r;
    }

    public async Task Unpin(PageRef page, bool dma)
    {
        if (!page.IsNone)
        {
            await Node(page.Node).Unpin(page.Pfn, dma ? NodeMemory.GupPinCountingBias : 1);
        }
    }

    public Task SetPageState(PageRef page, bool writeback, bool dirty) => Node(page.Node).SetPageState(page.Pfn, writeback, dirty);

    public Task<int> Munmap(int pid, long start, long pages) => Space(pid).Munmap(start, pages);

    public Task Exit(int pid, bool zombie) => zombie ? Space(pid).ExitZombie() : Space(pid).Exit();

    public Task<int> Truncate(int mapping, long fromIndex) => Space(PageMapping.FileOwner(mapping)).Truncate(mapping, fromIndex);

    public async Task<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags, IReadOnlyList<int>? initialStatus)
    {
        MovePagesReply reply = await Space(pid).MovePages(caller, [.. pages], nodes?.ToArray(), flags, initialStatus?.ToArray());
        return new MovePagesResult(reply.ReturnValue, reply.Status);
    }

    public Task<int> MigratePages(int caller, int pid, IReadOnlyList<int> fromNodes, IReadOnlyList<int> toNodes) =>
        Space(pid).MigratePages(caller, [.. fromNodes], [.. toNodes]);

    public Task<int> Mbind(int pid, long start, long pages, int mode, IReadOnlyList<int>? nodes, long maxnode, int flags) =>
        Space(pid).MbindNodemask(start, pages, mode, nodes?.ToArray(), maxnode, flags);

    public Task<int> SetMempolicy(int pid, int mode, IReadOnlyList<int>? nodes, long maxnode) =>
        Space(pid).SetMempolicy(mode, nodes?.ToArray(), maxnode);

    public async Task<GetMempolicyResult> GetMempolicy(int pid, bool wantNodemask, long maxnode, long? virtualPage, int flags)
    {
        GetMempolicyReply reply = await Space(pid).GetMempolicy(wantNodemask, maxnode, virtualPage, flags);
        return new GetMempolicyResult(reply.ReturnValue, reply.Mode, reply.Nodemask);
    }

    public async Task<MemPolicy?> TaskPolicy(int pid) => (await Space(pid).GetTaskPolicy())?.ToPolicy();

    public Task Fork(int parent, int child) => Space(parent).Fork(child);

    public async Task SetCpuset(int pid, IReadOnlyList<int> mems)
    {
        // The scheduler's later moves of the process keep the new cpuset.
        _processes[pid] = _processes[pid] with { Cpuset = [.. mems] };
        await Space(pid).SetCpusetMems([.. mems]);
    }

    public Task<int> Mlock(int pid, long start, long pages, int flags) => Space(pid).Mlock(start, pages, flags);

    public Task<int> Munlock(int pid, long start, long pages) => Space(pid).Munlock(start, pages);

    public async Task<bool> IsolateForCompaction(PageRef page, bool isolateUnevictable) =>
        (await Node(page.Node).IsolateForCompaction([page.Pfn], isolateUnevictable))[0];

    public async Task<MigrateResult> MigrateIsolated(IReadOnlyList<MigrationRequest> pages, MigrateMode mode, MigrateReason reason)
    {
        MigrationRunResult run = await grains.GetGrain<IMigrationCoordinatorGrain>(0).MigrateIsolatedPages([.. pages], mode, reason);
        _internalMigrations.Count(run.VmEvents);
        _internalMigrationNs += run.SimulatedNs;
        return new MigrateResult(run.ReturnValue, run.Succeeded, run.Failed, run.Passes, mode, reason, run.PageErrno, run.NewPages, run.VmEvents) { SimulatedNs = run.SimulatedNs };
    }

    /// <summary>The machine's counters: each process's events (its faults, its syscalls' migrations), the scenario's own migrations and each node's folio events (splits), summed.</summary>
    public async Task<IReadOnlyDictionary<string, long>> VmStat() =>
        Memory.VmStat.Sum([
            _internalMigrations.Snapshot(),
            .. await Task.WhenAll(_processes.Select(p => Space(p.Id).GetVmStat())),
            .. await Task.WhenAll(_nodes.Select(n => Node(n).GetVmStat()))]);

    /// <summary>The simulated time of every migrate_pages call: each process's syscalls' and the scenario's own.</summary>
    public async Task<long> MigrationSimulatedNs() =>
        _internalMigrationNs + (await Task.WhenAll(_processes.Select(p => Space(p.Id).GetMigrationSimulatedNs()))).Sum();

    public async Task<IMachineView> View() => await GrainMachineView.SnapshotAsync(grains, _nodes, _processes.Select(p => p.Id));

    private async Task<AccessResult> Access(int pid, long virtualPage, ulong? value)
    {
        AccessReport r = await Space(pid).Access(virtualPage, value is not null, value ?? 0);
        return r.Errno != 0
            ? AccessResult.Fail(r.Errno)
            : new AccessResult(AccessStatus.Done, r.Page, r.Page.IsNone ? PageContents.Zero : PageContents.Make(r.Value), r.LatencyNs, 0, default);
    }

    /// <summary>A process running on <paramref name="node"/>: the model's allocation rules come with the layout.</summary>
    private AddressSpaceConfiguration Configuration(ScenarioProcess process, int node) => new(
        node,
        [.. Topology.FallbackOrder(node)],
        [.. Enumerable.Range(0, Topology.NodeIdLimit).Select(n => Topology.Contains(n) ? Topology.Distance(node, n) : NumaTopology.UnreachableDistance)],
        LocalAccessNs,
        process.Privileged,
        process.Cpuset?.ToArray(),
        _layout);

    private INumaNodeGrain Node(int node) => grains.GetGrain<INumaNodeGrain>(node);

    private IAddressSpaceGrain Space(int pid) => grains.GetGrain<IAddressSpaceGrain>(pid);
}
