using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.SimulatedTime;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// Holds one process's <see cref="AddressSpaceMemory"/> and runs its tasks. Reentrant on purpose:
/// a task asleep on a page lock (awaiting a node) must not stop the coordinator's
/// remove_migration_ptes (step 16) on this address space, which comes before the unlock that
/// wakes the task; a non-reentrant grain would deadlock there. Every method that changes the page
/// table does so without awaiting in between, so each change is one atomic turn, and a task
/// re-reads its PTE after every await, as a faulting CPU re-walks the page table.
/// </summary>
[Reentrant]
public sealed class AddressSpaceGrain : Grain, IAddressSpaceGrain, IIncomingGrainCallFilter
{
    /// <summary>A task gives up an access after this many sleeps and retries (a livelock guard, never reached in practice).</summary>
    public const int MaxAccessRetries = 1000;

    private readonly Dictionary<(int Mapping, long Index), Task<PageRef>> _pageCacheFills = [];
    private readonly Dictionary<long, ulong> _lastWritten = [];
    private readonly List<MigrationPte> _converted = [];
    private VmStat _vmStat = new();
    // The simulated time of the migrate_pages calls this process's syscalls ran, added up.
    private long _migrationSimulatedNs;

    // Large-folio faults in flight, by the folio's first virtual page: other faults in its range wait for them.
    private readonly Dictionary<long, TaskCompletionSource> _folioFaults = [];
    private AddressSpaceMemory? _memory;
    private AddressSpaceConfiguration? _configuration;
    private bool _stopWorkloads;
    private SimulatedTask[] _simulatedTasks = [];
    private WorkloadSpec? _simulatedSpec;

    /// <summary>Bumped by <see cref="Configure"/>: tasks of an earlier experiment (one whose caller died mid-run) end at their next access.</summary>
    private int _generation;

    // The experiment run that configured this process: calls of an earlier, abandoned run are refused.
    private string? _run;

    private int SpaceId => (int)this.GetPrimaryKeyLong();

    private AddressSpaceMemory Memory => _memory ?? throw new InvalidOperationException($"Address space {SpaceId} is not configured: call Configure first.");

    private AddressSpaceConfiguration Configuration => _configuration!;

    /// <summary>Starts the process afresh (a long-lived cluster runs one experiment after another).</summary>
    public Task Configure(AddressSpaceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
        _generation++;
        _memory = new AddressSpaceMemory(SpaceId, configuration.HomeNode, configuration.Privileged) { MemsAllowed = configuration.MemsAllowed };
        _lastWritten.Clear();
        _vmStat = new VmStat();
        _migrationSimulatedNs = 0;
        _run = Experiments.RunFence.Current;
        return Task.CompletedTask;
    }

    public Task Invoke(IIncomingGrainCallContext context) => Experiments.RunFence.Invoke(context, _run, $"address space {SpaceId}");

    public Task MoveTo(AddressSpaceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
        Memory.HomeNode = configuration.HomeNode;
        Memory.Privileged = configuration.Privileged;
        Memory.MemsAllowed = configuration.MemsAllowed;
        return Task.CompletedTask;
    }

    public Task<MappedRegion> MmapAnon(long pages, bool shared)
    {
        var vma = shared
            ? Memory.AddVma(pages, VmaKind.AnonShared, Memory.CreateMapping(), 0, writable: true)
            : Memory.AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable: true);
        return Task.FromResult(ToRegion(vma));
    }

    public Task<MappedRegion> MmapAnonPrivate(long pages, bool writable, int folioOrder = 0, int fallbackOrders = 0) =>
        Task.FromResult(ToRegion(Memory.AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable, folioOrder: folioOrder, fallbackOrders: fallbackOrders)));

    public async Task<MappedRegion> MmapAnonPopulate(long pages)
    {
        const int Chunk = 4096;
        var vma = Memory.AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable: true);
        var next = vma.Start;
        foreach (var node in Configuration.AllocationOrder)
        {
            while (next < vma.Start + vma.Pages)
            {
                var count = (int)Math.Min(Chunk, vma.Start + vma.Pages - next);
                var ptes = new PteRef[count];
                for (var i = 0; i < count; i++)
                {
                    ptes[i] = new PteRef(SpaceId, next + i);
                }
                var pfns = await Node(node).FaultAnonPages(ptes, PageMapping.Anon(SpaceId));
                var mapped = 0;
                while (mapped < count && pfns[mapped] >= 0)
                {
                    Memory.SetPte(next + mapped, Pte.Present(new PageRef(node, pfns[mapped]), writable: true));
                    mapped++;
                }
                next += mapped;
                if (mapped < count)
                {
                    break; // this node is full: the next one in the allocation order
                }
            }
        }
        if (next < vma.Start + vma.Pages)
        {
            throw new InvalidOperationException($"Address space {SpaceId}: no memory left to populate {vma.Start + vma.Pages - next} of {pages} pages.");
        }
        return ToRegion(vma);
    }

    public Task<int> CreateFile() => Task.FromResult(Memory.CreateMapping());

    public async Task<MappedRegion> MmapShared(int mapping, long pgOff, long pages, bool writable)
    {
        // The owner decides whether the object is a file or shmem (it maps shmem as such); this space only maps it.
        var owner = PageMapping.FileOwner(mapping);
        var ownerRegions = owner == SpaceId ? [.. Memory.Vmas.Select(ToRegion)] : await GrainFactory.GetGrain<IAddressSpaceInspectionGrain>(owner).GetRegions();
        var kind = ownerRegions.Any(r => r.Mapping == mapping && r.Kind == VmaKind.AnonShared) ? VmaKind.AnonShared : VmaKind.File;
        return ToRegion(Memory.AddVma(pages, kind, mapping, pgOff, writable));
    }

    public async Task<MappedRegion> MmapFilePrivate(int mapping, long pgOff, long pages, bool writable)
    {
        var region = ToRegion(Memory.AddVma(pages, VmaKind.FilePrivate, mapping, pgOff, writable));
        await AddPrivateMapping(mapping, SpaceId);
        return region;
    }

    /// <summary>A MAP_PRIVATE VMA of <paramref name="space"/> joins the file's i_mmap, wherever its owner is.</summary>
    private Task AddPrivateMapping(int mapping, int space) => PageMapping.FileOwner(mapping) == SpaceId
        ? AddPrivateMapper(mapping, space)
        : OwnerOf(PageMapping.FileOwner(mapping)).AddPrivateMapper(mapping, space);

    public Task AddPrivateMapper(int mapping, int space)
    {
        Memory.Mapping(mapping).PrivateMappers.Add(space);
        return Task.CompletedTask;
    }

    public async Task UnmapMappingRange(int mapping, long fromIndex)
    {
        var zapped = new List<(PteRef Pte, PageRef Page, bool Locked)>();
        Memory.UnmapMappingRange(mapping, fromIndex, zapped);
        await DropZapped(zapped);
    }

    public Task<MappedRegion[]> GetRegions() => Task.FromResult(Memory.Vmas.Select(ToRegion).ToArray());

    public Task<PageTableEntryView[]> GetPageTable()
    {
        var entries = new List<PageTableEntryView>();
        foreach (var (virtualPage, pte) in Memory.Ptes())
        {
            var vma = Memory.FindVma(virtualPage);
            entries.Add(new PageTableEntryView(virtualPage, pte.Kind, pte.Page, vma?.Kind ?? VmaKind.AnonPrivate, vma?.Mapping ?? 0, vma?.IndexOf(virtualPage) ?? virtualPage));
        }
        return Task.FromResult(entries.ToArray());
    }

    public Task<PageRef[]> PresentPages()
    {
        var pages = new List<PageRef>();
        foreach (var (_, pte) in Memory.Ptes())
        {
            if (pte.Kind == PteKind.Present)
            {
                pages.Add(pte.Page);
            }
        }
        return Task.FromResult(pages.ToArray());
    }

    private static MappedRegion ToRegion(Vma vma) => new(vma.Start, vma.Pages, vma.Kind, vma.Mapping, vma.PgOff, vma.Writable)
    {
        Locked = vma.Locked,
        LockOnFault = vma.LockOnFault,
        FolioOrder = vma.FolioOrder,
        FallbackOrders = vma.FallbackOrders,
    };

    // ---------------------------------------------------------------- accesses

    public Task<AccessReport> Access(long virtualPage, bool write, ulong value) => Access(virtualPage, write, value, store: true);

    /// <summary>An access; without <paramref name="store"/> a write is get_user_pages' FOLL_WRITE: the fault and the dirty bit, not new contents.</summary>
    private async Task<AccessReport> Access(long virtualPage, bool write, ulong value, bool store)
    {
        var waits = 0;
        var self = new PteRef(SpaceId, virtualPage);
        for (var attempt = 0; attempt < MaxAccessRetries; attempt++)
        {
            var vma = Memory.FindVma(virtualPage);
            if (vma is null)
            {
                return Failed(-Errno.EFAULT);
            }
            if (write && !vma.Writable)
            {
                return Failed(-Errno.EACCES);
            }

            var pte = Memory.GetPte(virtualPage);
            switch (pte.Kind)
            {
                case PteKind.Migration:
                    // migration_entry_wait: sleep on the old page's lock, then redo the fault.
                    await Node(pte.Page.Node).WaitOnPageLocked(pte.Page.Pfn, self, write);
                    waits++;
                    continue;

                case PteKind.ZeroPage when !write:
                    // The shared zero page: zeros, from a page every node has close by.
                    return new AccessReport(0, PageRef.None, 0, Configuration.LocalAccessNs, waits);

                case PteKind.None or PteKind.ZeroPage:
                    // A write to the zero page is a write-protect fault: do_wp_page copies it to a new page.
                    var fault = await FaultIn(vma, virtualPage, write);
                    if (fault < 0)
                    {
                        return Failed(fault);
                    }
                    waits += fault;
                    continue;

                case PteKind.Present when write && !pte.Writable:
                    // A write to a write-protected PTE of a writable mapping: do_wp_page.
                    var wp = await DoWpPage(vma, virtualPage, pte);
                    if (wp < 0)
                    {
                        return Failed(wp);
                    }
                    continue;

                default:
                    var outcome = store
                        ? await Node(pte.Page.Node).Access(pte.Page.Pfn, self, write, value)
                        : await Node(pte.Page.Node).FollowPage(pte.Page.Pfn, self, write);
                    if (!outcome.Live)
                    {
                        // The PTE was unmapped while the access was on its way: walk the table again.
                        continue;
                    }
                    var latency = Configuration.LocalAccessNs * Configuration.DistanceFromHome[pte.Page.Node] / 10.0;
                    return new AccessReport(0, pte.Page, PageContents.ValueOf(outcome.Contents), latency, waits);
            }
        }
        return Failed(-Errno.EAGAIN);

        static AccessReport Failed(int errno) => new(errno, PageRef.None, 0, 0, 0);
    }

    /// <summary>
    /// do_wp_page: the anonymous page is reused when this PTE is all that holds it, else
    /// wp_page_copy maps a page of this task's own (by the fault's policy) and drops its share
    /// of the old one. Returns 0 or a negative errno.
    /// </summary>
    private async Task<int> DoWpPage(Vma vma, long virtualPage, Pte pte)
    {
        _vmStat.CountPgfault();
        // do_huge_pmd_wp_page falls back to PTEs: the PMD is split and the one page is handled.
        Memory.SplitHugePmdAt(virtualPage);
        pte = Memory.GetPte(virtualPage);
        var self = new PteRef(SpaceId, virtualPage);
        if (await Node(pte.Page.Node).WpCanReuseAnonPage(pte.Page.Pfn))
        {
            if (Memory.GetPte(virtualPage) == pte)
            {
                Memory.SetPte(virtualPage, Pte.Present(pte.Page, vma.Writable));
            }
            return 0;
        }

        // wp_page_copy: the copy starts as the old page (a write through get_user_pages stores nothing).
        var contents = await Node(pte.Page.Node).ReadPage(pte.Page.Pfn);
        foreach (var candidate in CowAllocationOrder(vma, virtualPage))
        {
            var pfn = await SyscallNode(candidate).CopyPresentPage(self, PageMapping.Anon(SpaceId), vma.IndexOf(virtualPage), contents);
            if (pfn >= 0)
            {
                await MlockNewPage(vma, candidate, pfn);
                Memory.SetPte(virtualPage, Pte.Present(new PageRef(candidate, pfn), vma.Writable));
                if (vma.Locked)
                {
                    await SyscallNode(pte.Page.Node).MunlockPages([pte.Page.Pfn]);
                }
                await SyscallNode(pte.Page.Node).ZapPtes([self], [pte.Page.Pfn]);
                return 0;
            }
        }
        return -Errno.ENOMEM;
    }

    /// <summary>A page just mapped into <paramref name="vma"/>: mlocked if the VMA is VM_LOCKED (mlock_new_folio, mlock_vma_folio).</summary>
    private Task MlockNewPage(Vma vma, int node, long pfn) => vma.Locked ? SyscallNode(node).MlockPages([pfn]) : Task.CompletedTask;

    /// <summary>Handles a fault on an empty PTE (or a write to the zero page). Returns the sleeps it took (>= 0) or a negative errno.</summary>
    private async Task<int> FaultIn(Vma vma, long virtualPage, bool write)
    {
        _vmStat.CountPgfault();
        var self = new PteRef(SpaceId, virtualPage);
        var index = vma.IndexOf(virtualPage);
        if (vma.Kind == VmaKind.AnonPrivate && !write)
        {
            // do_anonymous_page: a read fault maps the shared zero page, read-only; no frame.
            Memory.SetPte(virtualPage, Pte.ZeroPage);
            return 0;
        }

        if (vma.Kind == VmaKind.AnonPrivate && vma.FolioOrder > 0 && _folioFaults.TryGetValue(virtualPage & ~((1L << vma.FolioOrder) - 1), out var inFlight))
        {
            // Another task of this process is faulting the folio in (the PMD lock's role): wait, then walk again.
            await inFlight.Task;
            return 0;
        }

        if (vma.Kind == VmaKind.AnonPrivate && Memory.FolioFaultOrders(vma, virtualPage) is { Count: > 0 } orders)
        {
            // do_huge_pmd_anonymous_page / alloc_anon_folio: the whole folio of the highest order a
            // node has a free range for, lower orders after a fallback. The fault holds the block
            // of the VMA's folio order, which holds every lower order's range.
            var block = virtualPage & ~((1L << vma.FolioOrder) - 1);
            var faulting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _folioFaults.Add(block, faulting);
            try
            {
                foreach (var order in orders)
                {
                    var start = virtualPage & ~((1L << order) - 1);
                    foreach (var candidate in AllocationOrder(vma, start, null))
                    {
                        var head = await Node(candidate).FaultAnonFolio(new PteRef(SpaceId, start), PageMapping.Anon(SpaceId), order);
                        if (head >= 0)
                        {
                            Memory.MapFolio(start, new PageRef(candidate, head), order, vma.Writable);
                            _vmStat.CountFolioFault(order, allocated: true, MigrationProtocolOptions.DefaultPmdOrder);
                            return 0;
                        }
                    }
                    _vmStat.CountFolioFault(order, allocated: false, MigrationProtocolOptions.DefaultPmdOrder);
                }
            }
            finally
            {
                _folioFaults.Remove(block);
                faulting.SetResult();
            }
        }

        if (vma.Kind == VmaKind.AnonPrivate)
        {
            var allocationOrder = AllocationOrder(vma, virtualPage, null);
            // An anonymous page is reachable only through the PTE installed here, so no lock is needed.
            foreach (var candidate in allocationOrder)
            {
                var pfn = await Node(candidate).FaultAnonPage(self, PageMapping.Anon(SpaceId), index);
                if (pfn >= 0)
                {
                    await MlockNewPage(vma, candidate, pfn);
                    Memory.SetPte(virtualPage, Pte.Present(new PageRef(candidate, pfn), vma.Writable));
                    return 0;
                }
            }
            return -Errno.ENOMEM;
        }

        var owner = PageMapping.FileOwner(vma.Mapping);
        var shmem = vma.Kind == VmaKind.AnonShared;
        if (index >= (owner == SpaceId ? Memory.Mapping(vma.Mapping).Size : await OwnerOf(owner).FileSize(vma.Mapping)))
        {
            // filemap_fault / shmem_fault: past the end of the file is VM_FAULT_SIGBUS.
            return -Errno.SIGBUS;
        }

        PageRef page;
        if (shmem)
        {
            // shmem_get_policy: the object's policy, wherever its owner is.
            var shared = owner == SpaceId
                ? Memory.SharedPolicyOf(vma.Mapping).Lookup(index)
                : (await OwnerOf(owner).ShmemGetPolicy(vma.Mapping, index))?.ToPolicy();
            page = await FindOrCreatePageCachePage(owner, vma.Mapping, index, AllocationOrder(vma, virtualPage, shared), shmem);
        }
        else
        {
            // filemap_alloc_folio allocates by the task policy; an interleaving one advances the
            // task's il_prev only when a page is allocated, so look the page up first.
            page = Memory.TaskPolicy is { Interleaves: true } && Configuration.Layout is not null
                ? await FindOrCreatePageCachePage(owner, vma.Mapping, index, [], shmem)
                : PageRef.None;
            if (page.IsNone)
            {
                page = await FindOrCreatePageCachePage(owner, vma.Mapping, index, AllocationOrder(vma, virtualPage, null), shmem);
            }
        }
        if (page.IsNone)
        {
            return -Errno.ENOMEM;
        }
        if (vma.Kind == VmaKind.FilePrivate && write)
        {
            // do_cow_fault: the task gets an anonymous copy of the cache page, which stays unmapped here.
            var contents = await Node(page.Node).ReadPage(page.Pfn);
            foreach (var candidate in CowAllocationOrder(vma, virtualPage))
            {
                var pfn = await SyscallNode(candidate).CopyPresentPage(self, PageMapping.Anon(SpaceId), index, contents);
                if (pfn >= 0)
                {
                    await MlockNewPage(vma, candidate, pfn);
                    Memory.SetPte(virtualPage, Pte.Present(new PageRef(candidate, pfn), vma.Writable));
                    return 0;
                }
            }
            return -Errno.ENOMEM;
        }

        var node = Node(page.Node);
        switch (await node.LockAndMapPageCachePage(page.Pfn, vma.Mapping, index, self))
        {
            case MapResult.Mapped:
                // folio_add_file_rmap_ptes -> mlock_vma_folio, under the page lock.
                await MlockNewPage(vma, page.Node, page.Pfn);
                if (Memory.GetPte(virtualPage).Kind == PteKind.None)
                {
                    // do_read_fault maps a private file mapping's page read-only: a write then copies it.
                    Memory.SetPte(virtualPage, Pte.Present(page, vma.Writable && vma.Kind != VmaKind.FilePrivate));
                }
                await node.UnlockFaultedPage(page.Pfn);
                return 0;
            case MapResult.Locked:
                await node.WaitOnPageLocked(page.Pfn, self, write: false);
                return 1;
            default:
                return 0;
        }
    }

    // ---------------------------------------------------------------- tasks in simulated time

    public Task StartSimulatedWorkload(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var pages = WorkloadPages();
        var tasks = Math.Max(1, spec.Tasks);
        _simulatedSpec = spec;
        _simulatedTasks = [.. Enumerable.Range(0, tasks)
            .Select(t => new SimulatedTask(t, [.. pages.Where((_, i) => i % tasks == t)], new Random(TaskSeed(spec.Seed, SpaceId, t))))
            .Where(t => t.Pages.Length > 0)];
        return Task.CompletedTask;
    }

    public async Task AdvanceWorkload(long horizonNs, TaskWakeUp[] wakes)
    {
        ArgumentNullException.ThrowIfNull(wakes);
        foreach (var wake in wakes)
        {
            foreach (var task in _simulatedTasks)
            {
                if (task.AsleepSinceNs is { } since && task.AsleepOn == wake.VirtualPage)
                {
                    // Woken by unlock_page: the task redoes its fault at the unlock's time.
                    task.SleepNs += Math.Max(0, wake.AtNs - since);
                    task.Waits++;
                    task.AsleepSinceNs = null;
                    task.Next = task.Next!.Value with { AtNs = Math.Max(task.Next.Value.AtNs, wake.AtNs) };
                }
            }
        }
        await Task.WhenAll(_simulatedTasks.Select(t => RunSimulatedTask(t, horizonNs)));
    }

    public async Task<WorkloadReport> FinishSimulatedWorkload(long endNs)
    {
        await AdvanceWorkload(endNs, []);
        var report = WorkloadReport.Empty;
        foreach (var t in _simulatedTasks)
        {
            report = WorkloadReport.Combine(report, new WorkloadReport(t.Reads + t.Writes, t.Reads, t.Writes, t.LatencyNs, t.Local, t.Remote, t.Waits, t.Errors, t.Stale, t.SleepNs));
        }
        _simulatedTasks = [];
        _simulatedSpec = null;
        return report;
    }

    /// <summary>
    /// One task's accesses whose simulated time is below <paramref name="horizonNs"/>, in its own
    /// order. Each access comes after a think time and takes the access's latency; one that meets
    /// a migration entry queues on the old page's lock and the task sleeps until a wake-up.
    /// </summary>
    private async Task RunSimulatedTask(SimulatedTask task, long horizonNs)
    {
        var spec = _simulatedSpec!;
        while (task.AsleepSinceNs is null)
        {
            if (task.Next is null)
            {
                var target = PickIndex(spec.Pattern, task.Random, task.Drawn, task.Pages.Length);
                var write = task.Pages[target].Writable && task.Random.NextDouble() < spec.WriteFraction;
                var value = write ? (ulong)task.Random.NextInt64(1, (long)PageContents.MaxValue) : 0;
                var think = (long)(spec.ThinkNs * (0.5 + task.Random.NextDouble()));
                task.Drawn++;
                task.Next = (target, write, value, task.NowNs + think);
            }
            var next = task.Next.Value;
            if (next.AtNs >= horizonNs)
            {
                return;
            }
            var page = task.Pages[next.Target];
            var report = await AccessInSimulatedTime(page.Page, next.Write, next.Value);
            if (report is null)
            {
                task.AsleepSinceNs = next.AtNs;
                return;
            }
            task.Next = null;
            var r = report.Value;
            if (r.Errno != 0)
            {
                task.Errors++;
                task.NowNs = next.AtNs;
                continue;
            }
            task.NowNs = next.AtNs + (long)Math.Round(r.LatencyNs);
            task.LatencyNs += r.LatencyNs;
            task.Waits += r.Waits;
            if (r.Page.IsNone || r.Page.Node == Configuration.HomeNode)
            {
                task.Local++;
            }
            else
            {
                task.Remote++;
            }
            if (next.Write)
            {
                task.Writes++;
                _lastWritten[page.Page] = next.Value;
            }
            else
            {
                task.Reads++;
                if (page.Kind == VmaKind.AnonPrivate && _lastWritten.TryGetValue(page.Page, out var expected) && expected != r.Value)
                {
                    task.Stale++;
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Access"/> in simulated time: a migration entry queues the task on the old page's
    /// lock and returns null (asleep) instead of waiting on the host.
    /// </summary>
    private async Task<AccessReport?> AccessInSimulatedTime(long virtualPage, bool write, ulong value)
    {
        for (var attempt = 0; attempt < MaxAccessRetries; attempt++)
        {
            var pte = Memory.GetPte(virtualPage);
            if (pte.Kind != PteKind.Migration)
            {
                return await Access(virtualPage, write, value);
            }
            if (await Node(pte.Page.Node).SleepOnPageLock(pte.Page.Pfn, new PteRef(SpaceId, virtualPage), write))
            {
                return null;
            }
        }
        return new AccessReport(-Errno.EAGAIN, PageRef.None, 0, 0, 0);
    }

    private (long Page, VmaKind Kind, bool Writable)[] WorkloadPages() =>
        [.. Memory.Vmas.SelectMany(v => Enumerable.Range(0, (int)v.Pages).Select(i => (Page: v.Start + i, v.Kind, v.Writable)))];

    public Task StopWorkloads()
    {
        _stopWorkloads = true;
        return Task.CompletedTask;
    }

    public async Task<WorkloadReport> RunWorkload(WorkloadSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _stopWorkloads = false;
        var pages = Memory.Vmas.SelectMany(v => Enumerable.Range(0, (int)v.Pages).Select(i => (Page: v.Start + i, v.Kind, v.Writable))).ToArray();
        if (pages.Length == 0)
        {
            return WorkloadReport.Empty;
        }
        var tasks = Enumerable.Range(0, Math.Max(1, spec.Tasks)).Select(t => RunTask(spec, t, pages)).ToArray();
        var reports = await Task.WhenAll(tasks);
        return reports.Aggregate(WorkloadReport.Combine);
    }

    /// <summary>
    /// One task. Task t owns the pages whose position is t modulo the task count, so no two tasks
    /// of this process race on a page and "the last value written" is well defined per page.
    /// </summary>
    private async Task<WorkloadReport> RunTask(WorkloadSpec spec, int task, (long Page, VmaKind Kind, bool Writable)[] pages)
    {
        var tasks = Math.Max(1, spec.Tasks);
        var mine = pages.Where((_, i) => i % tasks == task).ToArray();
        if (mine.Length == 0)
        {
            return WorkloadReport.Empty;
        }
        var random = new Random(TaskSeed(spec.Seed, SpaceId, task));
        long reads = 0, writes = 0, local = 0, remote = 0, waits = 0, errors = 0, stale = 0;
        double latency = 0;
        var generation = _generation;
        for (var i = 0; (i < spec.AccessesPerTask || (spec.UntilStopped && !_stopWorkloads)) && generation == _generation; i++)
        {
            var target = mine[PickIndex(spec.Pattern, random, i, mine.Length)];
            var write = target.Writable && random.NextDouble() < spec.WriteFraction;
            var value = write ? (ulong)random.NextInt64(1, (long)PageContents.MaxValue) : 0;
            if (spec.UntilStopped)
            {
                await YieldToOtherWork();
            }
            var report = await Access(target.Page, write, value);
            if (report.Errno != 0)
            {
                errors++;
                continue;
            }
            latency += report.LatencyNs;
            waits += report.Waits;
            // The zero page (no frame) is as near as the task's own node.
            if (report.Page.IsNone || report.Page.Node == Configuration.HomeNode)
            {
                local++;
            }
            else
            {
                remote++;
            }
            if (write)
            {
                writes++;
                _lastWritten[target.Page] = value;
            }
            else
            {
                reads++;
                // Only this process writes its private anonymous pages: a read must see its last write.
                if (target.Kind == VmaKind.AnonPrivate && _lastWritten.TryGetValue(target.Page, out var expected) && expected != report.Value)
                {
                    stale++;
                }
            }
        }
        return new WorkloadReport(reads + writes, reads, writes, latency, local, remote, waits, errors, stale);
    }

    /// <summary>
    /// The seed of one task's random choices, the same in every process (HashCode.Combine is
    /// randomized per process, so two runs with the same --seed would make different accesses).
    /// </summary>
    private static int TaskSeed(int seed, int space, int task)
    {
        unchecked
        {
            const ulong Golden = 0x9E3779B97F4A7C15UL;
            var h = ((ulong)(uint)seed * Golden) ^ (uint)space;
            h = (h * Golden) ^ (uint)task;
            h = (h ^ (h >> 31)) * 0xBF58476D1CE4E5B9UL;
            h ^= h >> 29;
            return (int)(h ^ (h >> 32));
        }
    }

    /// <summary>
    /// Lets every other piece of work in the silo run before this task's next access. Orleans
    /// schedules an activation's turns on the thread pool's local (last in, first out) queue, so a
    /// task that does nothing but grain calls would otherwise run again and again on one worker
    /// thread while older work (the migration's own calls) waits on the bottom of that queue,
    /// for tens of seconds once hundreds of tasks run on two cores. An empty work item on the
    /// global (first in, first out) queue breaks the chain; the access resumes in this grain's context.
    /// </summary>
    private static Task YieldToOtherWork() =>
        Task.Factory.StartNew(static () => { }, CancellationToken.None, TaskCreationOptions.PreferFairness, TaskScheduler.Default);

    private static int PickIndex(WorkloadPattern pattern, Random random, int step, int count) => pattern switch
    {
        WorkloadPattern.Sequential => step % count,
        WorkloadPattern.Hot => random.NextDouble() < 0.9 ? random.Next(Math.Max(1, count / 10)) : random.Next(count),
        _ => random.Next(count),
    };

    // ---------------------------------------------------------------- page cache (owner)

    public Task<PageRef> FindOrCreatePageCachePage(int mapping, long index, int[] allocationOrder, bool swapBacked)
    {
        var page = Memory.Mapping(mapping).Lookup(index);
        // No node to try is a look-up: the page, or none.
        if (!page.IsNone || allocationOrder.Length == 0)
        {
            return Task.FromResult(page);
        }
        // One fill per slot: two faults racing on a missing page must not both allocate it.
        if (!_pageCacheFills.TryGetValue((mapping, index), out var fill))
        {
            fill = FillPageCache(mapping, index, allocationOrder, swapBacked);
            // A fill whose node answered before it was awaited has finished (and removed nothing)
            // already: kept here, it would hand its page to the faults of a later experiment.
            if (!fill.IsCompleted)
            {
                _pageCacheFills[(mapping, index)] = fill;
            }
        }
        return fill;
    }

    private async Task<PageRef> FillPageCache(int mapping, long index, int[] allocationOrder, bool swapBacked)
    {
        try
        {
            foreach (var node in allocationOrder)
            {
                var pfn = await Node(node).AllocatePageCachePage(mapping, index, swapBacked);
                if (pfn >= 0)
                {
                    var page = new PageRef(node, pfn);
                    Memory.Mapping(mapping).Insert(index, page);
                    return page;
                }
            }
            return PageRef.None;
        }
        finally
        {
            _pageCacheFills.Remove((mapping, index));
        }
    }

    // ---------------------------------------------------------------- protocol steps

    public Task<PteBatch> TryToUnmap(PteBatch ptes, BatchRun batch)
    {
        // One turn (no await), so a scratch list of the grain's own is safe to reuse.
        _converted.Clear();
        Memory.TryToUnmap(ptes.Ptes, batch.Span, _converted);
        // Usually every PTE converts: the answer is then the question (unless a PMD's entries are marked as one).
        return Task.FromResult(_converted.Count == ptes.Count && !_converted.Exists(static m => m.PmdTail) ? ptes : new PteBatch([.. _converted]));
    }

    public Task SplitHugePmd(long[] virtualPages)
    {
        ArgumentNullException.ThrowIfNull(virtualPages);
        foreach (var v in virtualPages)
        {
            Memory.SplitHugePmd(v);
        }
        return Task.CompletedTask;
    }

    public Task RemoveMigrationPtes(PteBatch ptes, BatchRun batch)
    {
        Memory.RemoveMigrationPtes(ptes.Ptes, batch.Span);
        return Task.CompletedTask;
    }

    public Task<BatchRun> RadixTreeLock(BatchRun batch)
    {
        Memory.RadixTreeLock(batch.Span);
        return Task.FromResult(batch);
    }

    public Task<BatchRun> RadixTreeCheck(BatchRun batch)
    {
        Memory.RadixTreeCheck(batch.Span);
        return Task.FromResult(batch);
    }

    public Task<BatchRun> RadixTreeReplace(BatchRun batch)
    {
        Memory.RadixTreeReplace(batch.Span);
        return Task.FromResult(batch);
    }

    public Task<BatchRun> RadixTreeUnlock(BatchRun batch)
    {
        Memory.RadixTreeUnlock(batch.Span);
        return Task.FromResult(batch);
    }

    /// <summary>
    /// The nodes a fault at <paramref name="virtualPage"/> allocates from, in order: with a layout,
    /// as the model does (the fault's policy, <see cref="AllocationNodes.FaultPolicy"/>, the task's
    /// node and cpuset); without, the configured order.
    /// </summary>
    private int[] AllocationOrder(Vma vma, long virtualPage, MemPolicy? sharedPolicy)
    {
        if (Configuration.Layout is not { } layout)
        {
            return Configuration.AllocationOrder;
        }

        var (policy, ilx) = AllocationNodes.FaultPolicy(Memory, vma, virtualPage, sharedPolicy);
        return layout.AllocationOrder(Memory, policy, ilx);
    }

    /// <summary>The nodes a copy-on-write page allocates from (<see cref="AllocationNodes.CowPolicy"/>), in order.</summary>
    private int[] CowAllocationOrder(Vma vma, long virtualPage)
    {
        if (Configuration.Layout is not { } layout)
        {
            return Configuration.AllocationOrder;
        }

        var (policy, ilx) = AllocationNodes.CowPolicy(Memory, vma, virtualPage);
        return layout.AllocationOrder(Memory, policy, ilx);
    }

    private Task<PageRef> FindOrCreatePageCachePage(int owner, int mapping, long index, int[] allocationOrder, bool swapBacked) => owner == SpaceId
        ? FindOrCreatePageCachePage(mapping, index, allocationOrder, swapBacked)
        : OwnerOf(owner).FindOrCreatePageCachePage(mapping, index, allocationOrder, swapBacked);

    private IAddressSpaceAccessGrain OwnerOf(int owner) => GrainFactory.GetGrain<IAddressSpaceAccessGrain>(owner);

    // ---------------------------------------------------------------- syscalls (this process is the target)

    public Task<TaskCredentials?> GetTask() => Task.FromResult(_memory is { } memory && (!memory.Exited || memory.Zombie)
        ? new TaskCredentials(memory.Privileged, [.. AllocationNodes.CpusetMemsAllowed(memory.MemsAllowed, Layout.NodesWithMemory)], memory.Exited)
        : null);

    public async Task<MovePagesReply> MovePages(int caller, long[] pages, int[]? nodes, int flags, int[]? initialStatus)
    {
        var result = await Syscalls().MovePages(caller, SpaceId, pages, nodes, flags, initialStatus);
        return new MovePagesReply(result.ReturnValue, [.. result.Status]);
    }

    public async Task<int> MigratePages(int caller, int[] fromNodes, int[] toNodes) =>
        await Syscalls().MigratePagesSyscall(caller, SpaceId, fromNodes, toNodes);

    public async Task<int> Mbind(long start, long pages, MemPolicyMode mode, int[] nodes, int flags) =>
        await Syscalls().Mbind(SpaceId, start, pages, mode, nodes, flags);

    public async Task<int> MbindNodemask(long start, long pages, int mode, int[]? nodes, long maxnode, int flags) =>
        await Syscalls().Mbind(SpaceId, start, pages, mode, nodes, maxnode, flags);

    public async Task<int> Mlock(long start, long pages, int flags) =>
        await Syscalls().Mlock(SpaceId, start, pages, flags);

    public async Task<int> Munlock(long start, long pages) =>
        await Syscalls().Munlock(SpaceId, start, pages);

    public async Task<int> SetMempolicy(int mode, int[]? nodes, long maxnode) =>
        await Syscalls().SetMempolicy(SpaceId, mode, nodes, maxnode);

    public async Task<GetMempolicyReply> GetMempolicy(bool wantNodemask, long maxnode, long? virtualPage, int flags)
    {
        var result = await Syscalls().GetMempolicy(SpaceId, wantNodemask, maxnode, virtualPage, flags);
        return new GetMempolicyReply(result.ReturnValue, result.Mode, result.Nodemask?.ToArray());
    }

    public Task<MemPolicyView?> GetTaskPolicy() => Task.FromResult(MemPolicyView.Of(Memory.TaskPolicy));

    public Task SetCpusetMems(int[] mems)
    {
        ArgumentNullException.ThrowIfNull(mems);
        NumaSyscalls.CpusetUpdateTaskNodemask(Memory, mems, Layout.NodesWithMemory);
        _configuration = Configuration with { MemsAllowed = mems };
        return Task.CompletedTask;
    }

    public Task<MemPolicyView?> ShmemGetPolicy(int mapping, long index) =>
        Task.FromResult(MemPolicyView.Of(Memory.SharedPolicyOf(mapping).Lookup(index)));

    public Task ShmemSetPolicy(int mapping, long start, long end, MemPolicyView? policy)
    {
        Memory.SharedPolicyOf(mapping).Set(start, end, policy?.ToPolicy());
        return Task.CompletedTask;
    }

    public async Task Fork(int child)
    {
        // dup_mmap runs in the parent, in one turn: a fresh copy of the child's memory takes the
        // VMAs, policies and PTEs, and this address space's PTEs become write-protected.
        var copy = new AddressSpaceMemory(child, Memory.HomeNode);
        var childPtes = new List<(PteRef Pte, PageRef Page)>();
        var copies = new List<(Vma Vma, long VirtualPage, PageRef Page)>();
        // folio_needs_cow_for_dma, asked of the nodes first (the pages' refcounts live there).
        var dmaPinned = await PagesNeedingCowForDma();
        Memory.DupMmap(copy, childPtes, dmaPinned.ContainsKey, copies);
        // copy_present_page: the child's own copy of each page that may be pinned for DMA,
        // allocated as this task's fault there would be, and mapped writable in the child.
        foreach (var (vma, virtualPage, page) in copies)
        {
            var placed = PageRef.None;
            foreach (var candidate in AllocationOrder(vma, virtualPage, null))
            {
                var pfn = await SyscallNode(candidate).CopyPresentPage(new PteRef(child, virtualPage), PageMapping.Anon(child), vma.IndexOf(virtualPage), dmaPinned[page]);
                if (pfn >= 0)
                {
                    placed = new PageRef(candidate, pfn);
                    break;
                }
            }
            if (placed.IsNone)
            {
                throw new InvalidOperationException($"fork of {SpaceId}: no free frame for the copy of DMA-pinned page {page} at {virtualPage} (the kernel's fork fails with -ENOMEM)");
            }
            copy.SetPte(virtualPage, Pte.Present(placed, vma.Writable));
        }
        var image = new ForkImage(
            [.. copy.Vmas.Select(ToRegion)],
            [.. copy.Policies.Select(p => new VmaPolicyView(p.Start, p.End, MemPolicyView.Of(p.Policy)!))],
            MemPolicyView.Of(copy.TaskPolicy),
            copy.IlPrev,
            copy.IlWeight,
            [.. copy.Ptes().Select(e => new PteSnapshot(e.VirtualPage, e.Pte.Kind, e.Pte.Page, e.Pte.Writable, e.Pte.Huge))]);
        await OwnerOf(child).AdoptFork(image);
        // folio_try_dup_anon_rmap_pte: each shared page gains the child's PTE, node by node in PTE order.
        await Task.WhenAll(childPtes.GroupBy(c => c.Page.Node).Select(g => Node(g.Key).AddRmap([.. g.Select(c => c.Pte)], [.. g.Select(c => c.Page.Pfn)])));
        // The child's MAP_PRIVATE file VMAs join their files' i_mmap.
        foreach (var mapping in copy.Vmas.Where(v => v.Kind == VmaKind.FilePrivate).Select(v => v.Mapping).Distinct())
        {
            await AddPrivateMapping(mapping, child);
        }
    }

    /// <summary>The present pages of this space's private mappings that a fork must copy, with their contents.</summary>
    private async Task<Dictionary<PageRef, ulong>> PagesNeedingCowForDma()
    {
        var pages = Memory.Vmas.Where(v => v.Kind is VmaKind.AnonPrivate or VmaKind.FilePrivate)
            .SelectMany(v => LongRange(v.Start, v.End))
            .Select(Memory.GetPte)
            .Where(p => p.Kind == PteKind.Present)
            .Select(p => p.Page)
            .Distinct()
            .ToList();
        var found = new Dictionary<PageRef, ulong>();
        foreach (var group in pages.GroupBy(p => p.Node))
        {
            long[] pfns = [.. group.Select(p => p.Pfn)];
            var contents = await SyscallNode(group.Key).PagesNeedingCowForDma(pfns);
            for (var i = 0; i < pfns.Length; i++)
            {
                if (contents[i] is { } c)
                {
                    found[new PageRef(group.Key, pfns[i])] = c;
                }
            }
        }
        return found;

        static IEnumerable<long> LongRange(long start, long end)
        {
            for (var v = start; v < end; v++)
            {
                yield return v;
            }
        }
    }

    public Task AdoptFork(ForkImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Memory.Vmas.Count > 0)
        {
            throw new InvalidOperationException($"address space {SpaceId} already has mappings: a fork makes a fresh one");
        }
        foreach (var vma in image.Vmas)
        {
            Memory.AddVma(vma.Pages, vma.Kind, vma.Mapping, vma.PgOff, vma.Writable, vma.Start, vma.FolioOrder, vma.FallbackOrders);
        }
        foreach (var policy in image.Policies)
        {
            Memory.SetPolicy(policy.Start, policy.End, policy.Policy.ToPolicy());
        }
        Memory.TaskPolicy = image.TaskPolicy?.ToPolicy();
        Memory.IlPrev = image.IlPrev;
        Memory.IlWeight = image.IlWeight;
        foreach (var pte in image.Ptes)
        {
            Memory.SetPte(pte.VirtualPage, pte.Kind == PteKind.ZeroPage ? Pte.ZeroPage : Pte.Present(pte.Page, pte.Writable, pte.Huge));
        }
        return Task.CompletedTask;
    }

    public Task<long> FileSize(int mapping) => Task.FromResult(Memory.Mapping(mapping).Size);

    public Task<IReadOnlyDictionary<string, long>> GetVmStat() => Task.FromResult(_vmStat.Snapshot());

    public Task<long> GetMigrationSimulatedNs() => Task.FromResult(_migrationSimulatedNs);

    /// <summary>The kernel's code, over this grain (the target) and the grains it calls.</summary>
    private NumaSyscalls Syscalls() => new(new GrainMachine(GrainFactory, Memory, Layout, _vmStat, (v, write) => Access(v, write, 0, store: false), ns => _migrationSimulatedNs += ns));

    private MachineLayout Layout => Configuration.Layout
        ?? throw new InvalidOperationException($"Address space {SpaceId} was configured without a machine layout: the syscalls need one.");

    // ---------------------------------------------------------------- munmap, exit, truncate

    public async Task<int> Munmap(long start, long pages)
    {
        if (pages <= 0)
        {
            return -Errno.EINVAL;
        }
        // The PTEs and the VMAs go in one turn (munmap holds mmap_lock): no fault sees a half-unmapped range.
        var zapped = new List<(PteRef Pte, PageRef Page, bool Locked)>();
        Memory.ZapPteRange(start, start + pages, zapped);
        Memory.RemoveVmaRange(start, start + pages);
        await DropZapped(zapped);
        return 0;
    }

    public Task ExitZombie()
    {
        Memory.Zombie = true;
        return Exit();
    }

    public async Task Exit()
    {
        var zapped = new List<(PteRef Pte, PageRef Page, bool Locked)>();
        foreach (var vma in Memory.Vmas.ToList())
        {
            Memory.ZapPteRange(vma.Start, vma.End, zapped);
            Memory.RemoveVmaRange(vma.Start, vma.End);
        }
        Memory.Exited = true;
        await DropZapped(zapped);
    }

    /// <summary>zap_pte_range, frame side: each node drops the zapped PTEs' rmap entries and references, in the order the PTEs were.</summary>
    private Task DropZapped(List<(PteRef Pte, PageRef Page, bool Locked)> zapped) =>
        Task.WhenAll(zapped.GroupBy(z => z.Page.Node).Select(async g =>
        {
            // munlock_vma_folio for the PTEs of VM_LOCKED VMAs, then the rmap entries go.
            if (g.Any(z => z.Locked))
            {
                await SyscallNode(g.Key).MunlockPages([.. g.Where(z => z.Locked).Select(z => z.Page.Pfn)]);
            }
            await SyscallNode(g.Key).ZapPtes([.. g.Select(z => z.Pte)], [.. g.Select(z => z.Page.Pfn)]);
        }));

    public Task ClearPtes(long[] virtualPages)
    {
        ArgumentNullException.ThrowIfNull(virtualPages);
        foreach (var v in virtualPages)
        {
            Memory.SetPte(v, Pte.None);
        }
        return Task.CompletedTask;
    }

    public async Task<int> Truncate(int mapping, long fromIndex)
    {
        var tree = Memory.Mapping(mapping);
        // truncate_setsize: i_size first, so that faults past it are SIGBUS while the pages go.
        tree.Size = Math.Min(tree.Size, fromIndex);
        // truncate_pagecache: unmap_mapping_range with even_cows, so the private mappings' copies past the end go too.
        foreach (var mapper in tree.PrivateMappers.ToList())
        {
            if (mapper == SpaceId)
            {
                await UnmapMappingRange(mapping, fromIndex);
            }
            else
            {
                await GrainFactory.GetGrain<IAddressSpaceSyscallGrain>(mapper).UnmapMappingRange(mapping, fromIndex);
            }
        }
        foreach (var (index, page) in tree.Entries().Where(e => e.Index >= fromIndex).ToList())
        {
            // A tree or page a migration holds: the caller tries again later (the model queues a waiter).
            if (tree.Locked || await SyscallNode(page.Node).LockPageForTruncate(page.Pfn) is not { } ptes)
            {
                return -Errno.EAGAIN;
            }
            // Under the page lock: every PTE that maps the page is cleared by its address space.
            foreach (var group in ptes.GroupBy(p => p.Space))
            {
                long[] vpages = [.. group.Select(p => p.VirtualPage)];
                if (group.Key == SpaceId)
                {
                    await ClearPtes(vpages);
                }
                else
                {
                    await GrainFactory.GetGrain<IAddressSpaceSyscallGrain>(group.Key).ClearPtes(vpages);
                }
            }
            tree.Delete(index);
            await SyscallNode(page.Node).TruncatePage(page.Pfn, ptes);
        }
        return 0;
    }

    public Task<AddressSpaceSnapshot> Snapshot()
    {
        var ptes = Memory.Ptes().Select(e => new PteSnapshot(e.VirtualPage, e.Pte.Kind, e.Pte.Page, e.Pte.Writable, e.Pte.Huge)).ToArray();
        var cache = Memory.OwnedMappings.Values.SelectMany(t => t.Entries().Select(e => new CachedPageView(t.Mapping, e.Index, e.Page))).ToArray();
        return Task.FromResult(new AddressSpaceSnapshot(SpaceId, Memory.Exited, ptes, [.. Memory.Vmas.Select(ToRegion)], cache));
    }

    /// <summary>A node as this process's tasks reach it (faults, loads and stores).</summary>
    private INumaNodeAccessGrain Node(int node) => GrainFactory.GetGrain<INumaNodeAccessGrain>(node);

    /// <summary>A node as this process's syscalls reach it (munmap's and truncate's frame side).</summary>
    private INumaNodeSyscallGrain SyscallNode(int node) => GrainFactory.GetGrain<INumaNodeSyscallGrain>(node);
}
