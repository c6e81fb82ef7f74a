using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
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
public sealed class AddressSpaceGrain : Grain, IAddressSpaceGrain
{
    /// <summary>A task gives up an access after this many sleeps and retries (a livelock guard, never reached in practice).</summary>
    public const int MaxAccessRetries = 1000;

    private readonly Dictionary<(int Mapping, long Index), Task<PageRef>> _pageCacheFills = [];
    private readonly Dictionary<long, ulong> _lastWritten = [];
    private readonly List<MigrationPte> _converted = [];
    private VmStat _vmStat = new();
    private AddressSpaceMemory? _memory;
    private AddressSpaceConfiguration? _configuration;
    private bool _stopWorkloads;

    /// <summary>Bumped by <see cref="Configure"/>: tasks of an earlier experiment (one whose caller died mid-run) end at their next access.</summary>
    private int _generation;

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
        return Task.CompletedTask;
    }

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

    public Task<MappedRegion> MmapAnonPrivate(long pages, bool writable) =>
        Task.FromResult(ToRegion(Memory.AddVma(pages, VmaKind.AnonPrivate, 0, 0, writable)));

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

    private static MappedRegion ToRegion(Vma vma) => new(vma.Start, vma.Pages, vma.Kind, vma.Mapping, vma.PgOff, vma.Writable);

    // ---------------------------------------------------------------- accesses

    public async Task<AccessReport> Access(long virtualPage, bool write, ulong value)
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

                default:
                    var outcome = await Node(pte.Page.Node).Access(pte.Page.Pfn, self, write, value);
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

        var allocationOrder = AllocationOrder(vma, virtualPage);
        if (vma.Kind == VmaKind.AnonPrivate)
        {
            // An anonymous page is reachable only through the PTE installed here, so no lock is needed.
            foreach (var candidate in allocationOrder)
            {
                var pfn = await Node(candidate).FaultAnonPage(self, PageMapping.Anon(SpaceId), index);
                if (pfn >= 0)
                {
                    Memory.SetPte(virtualPage, Pte.Present(new PageRef(candidate, pfn), vma.Writable));
                    return 0;
                }
            }
            return -Errno.ENOMEM;
        }

        var owner = PageMapping.FileOwner(vma.Mapping);
        var page = owner == SpaceId
            ? await FindOrCreatePageCachePage(vma.Mapping, index, allocationOrder, vma.Kind == VmaKind.AnonShared)
            : await GrainFactory.GetGrain<IAddressSpaceAccessGrain>(owner).FindOrCreatePageCachePage(vma.Mapping, index, allocationOrder, vma.Kind == VmaKind.AnonShared);
        if (page.IsNone)
        {
            return -Errno.ENOMEM;
        }
        var node = Node(page.Node);
        switch (await node.LockAndMapPageCachePage(page.Pfn, vma.Mapping, index, self))
        {
            case MapResult.Mapped:
                if (Memory.GetPte(virtualPage).Kind == PteKind.None)
                {
                    Memory.SetPte(virtualPage, Pte.Present(page, vma.Writable));
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
        if (!page.IsNone)
        {
            return Task.FromResult(page);
        }
        // One fill per slot: two faults racing on a missing page must not both allocate it.
        if (!_pageCacheFills.TryGetValue((mapping, index), out var fill))
        {
            fill = FillPageCache(mapping, index, allocationOrder, swapBacked);
            _pageCacheFills[(mapping, index)] = fill;
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
        // Usually every PTE converts: the answer is then the question.
        return Task.FromResult(_converted.Count == ptes.Count ? ptes : new PteBatch([.. _converted]));
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
    /// as the model does (the VMA's policy, the task's node and cpuset); without, the configured order.
    /// </summary>
    private int[] AllocationOrder(Vma vma, long virtualPage) => Configuration.Layout is { } layout
        ? layout.AllocationOrder(Memory, Memory.PolicyAt(virtualPage), vma.IndexOf(virtualPage))
        : Configuration.AllocationOrder;

    // ---------------------------------------------------------------- syscalls (this process is the target)

    public Task<TaskCredentials?> GetTask() => Task.FromResult(_memory is { Exited: false } memory
        ? new TaskCredentials(memory.Privileged, [.. AllocationNodes.CpusetMemsAllowed(memory.MemsAllowed, Layout.NodesWithMemory)])
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

    public Task<IReadOnlyDictionary<string, long>> GetVmStat() => Task.FromResult(_vmStat.Snapshot());

    /// <summary>The kernel's code, over this grain (the target) and the grains it calls.</summary>
    private NumaSyscalls Syscalls() => new(new GrainMachine(GrainFactory, Memory, Layout, _vmStat));

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
        var zapped = new List<(PteRef Pte, PageRef Page)>();
        Memory.ZapPteRange(start, start + pages, zapped);
        Memory.RemoveVmaRange(start, start + pages);
        await DropZapped(zapped);
        return 0;
    }

    public async Task Exit()
    {
        var zapped = new List<(PteRef Pte, PageRef Page)>();
        foreach (var vma in Memory.Vmas.ToList())
        {
            Memory.ZapPteRange(vma.Start, vma.End, zapped);
            Memory.RemoveVmaRange(vma.Start, vma.End);
        }
        Memory.Exited = true;
        await DropZapped(zapped);
    }

    /// <summary>zap_pte_range, frame side: each node drops the zapped PTEs' rmap entries and references, in the order the PTEs were.</summary>
    private Task DropZapped(List<(PteRef Pte, PageRef Page)> zapped) =>
        Task.WhenAll(zapped.GroupBy(z => z.Page.Node).Select(g => SyscallNode(g.Key).ZapPtes([.. g.Select(z => z.Pte)], [.. g.Select(z => z.Page.Pfn)])));

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
        var ptes = Memory.Ptes().Select(e => new PteSnapshot(e.VirtualPage, e.Pte.Kind, e.Pte.Page, e.Pte.Writable)).ToArray();
        var cache = Memory.OwnedMappings.Values.SelectMany(t => t.Entries().Select(e => new CachedPageView(t.Mapping, e.Index, e.Page))).ToArray();
        return Task.FromResult(new AddressSpaceSnapshot(SpaceId, Memory.Exited, ptes, [.. Memory.Vmas.Select(ToRegion)], cache));
    }

    /// <summary>A node as this process's tasks reach it (faults, loads and stores).</summary>
    private INumaNodeAccessGrain Node(int node) => GrainFactory.GetGrain<INumaNodeAccessGrain>(node);

    /// <summary>A node as this process's syscalls reach it (munmap's and truncate's frame side).</summary>
    private INumaNodeSyscallGrain SyscallNode(int node) => GrainFactory.GetGrain<INumaNodeSyscallGrain>(node);
}
