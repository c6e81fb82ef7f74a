using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Invariants;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.SimulatedTime;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// The main job. Every process first runs on one node and touches its memory there; then the
/// scheduler moves it to the node farthest away, so its memory is remote. The experiment measures
/// its tasks' accesses, migrates the misplaced pages toward the nodes the tasks now run on while
/// the tasks keep running, measures again, and checks the invariants across all grains.
/// </summary>
public sealed class ExperimentGrain(TimeProvider time) : Grain, IExperimentGrain
{
    /// <summary>How often a run with a client lease looks at when it last heard from its client.</summary>
    public static readonly TimeSpan LeasePeriod = TimeSpan.FromSeconds(1);

    private CancellationTokenSource? _running;
    private ISimulationClockGrain? _clock;
    private long _heard;
    private string? _abandoned;

    public async Task<ExperimentResult> Run(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Validate() is { } problem)
        {
            throw new ArgumentException(problem);
        }
        using var running = new CancellationTokenSource();
        (_running, _clock, _abandoned, _heard) = (running, null, null, time.GetTimestamp());
        // Every call made for this run carries its name: grains it configures refuse an earlier run's stragglers.
        RequestContext.Set(RunFence.RequestContextKey, $"{this.GetPrimaryKeyString()}/{Guid.NewGuid():N}");
        // Interleaved with the run itself, which waits on its grain calls for as long as it lasts.
        using var lease = spec.ClientLease > TimeSpan.Zero
            ? this.RegisterGrainTimer(CheckLease, spec.ClientLease, new GrainTimerCreationOptions(LeasePeriod, LeasePeriod) { Interleave = true })
            : null;
        try
        {
            return await RunExperiment(spec);
        }
        catch (Exception exception) when (_abandoned is { } reason && exception is not ArgumentException)
        {
            // The calls the abandonment cancelled fail each in their own words; the run's is one.
            throw new InvalidOperationException(reason, exception);
        }
        finally
        {
            (_running, _clock) = (null, null);
            RequestContext.Remove(RunFence.RequestContextKey);
        }
    }

    public Task<bool> Renew()
    {
        _heard = time.GetTimestamp();
        return Task.FromResult(_running is not null);
    }

    /// <summary>
    /// A client that has not renewed its lease is gone (cut off, or killed): its run is abandoned,
    /// the coordinators' calls cancelled (a paced wait ends at once) and the run's clock told.
    /// </summary>
    private async Task CheckLease(TimeSpan lease, CancellationToken cancellation)
    {
        var silent = time.GetElapsedTime(_heard);
        if (_abandoned is not null || _running is null || silent <= lease)
        {
            return;
        }
        _abandoned = $"the run was abandoned: its client was not heard from for {silent.TotalSeconds:0} s (lease {lease.TotalSeconds:0} s)";
        await _running.CancelAsync();
        if (_clock is { } clock)
        {
            await clock.Abandon(_abandoned);
        }
    }

    /// <summary>Between the run's phases: an abandoned run goes no further.</summary>
    private void ThrowIfAbandoned()
    {
        if (_abandoned is { } reason)
        {
            throw new InvalidOperationException(reason);
        }
    }

    private async Task<ExperimentResult> RunExperiment(ExperimentSpec spec)
    {
        var nodes = spec.Nodes;
        var topology = spec.Topology();
        var monitor = GrainFactory.GetMachineMonitor();
        await monitor.ReportSetUp(new SetUpProgress("configuring the nodes", 0, nodes, "nodes"));
        await Task.WhenAll(Enumerable.Range(0, nodes).Select(n => Node(n).Configure(new NodeConfiguration(spec.FramesPerNode))));
        // The cluster's machine monitor (the dashboard's page) now shows this machine, its counters from zero.
        await GrainFactory.GetMachineMonitor().ConfigureMachine(new MachineDescription(
            spec.Distances, spec.FramesPerNode, $"experiment '{this.GetPrimaryKeyString()}': {spec.AddressSpaces} processes x {spec.PagesPerSpace} pages",
            spec.Machine, spec.Protocol, CpusPerProcess: spec.TasksPerSpace, FolioOrder: spec.FolioOrder));

        // Processes, their memory, and the neighbour's file each one shares.
        var spaces = Enumerable.Range(0, spec.AddressSpaces).Select(Space).ToArray();
        // Processes run on nodes with CPUs (a CXL expander's node has none).
        int[] cpuNodes = [.. Enumerable.Range(0, nodes).Where(spec.HasCpus)];
        var firstHome = Enumerable.Range(0, spec.AddressSpaces).Select(s => cpuNodes[s % cpuNodes.Length]).ToArray();
        var laterHome = firstHome.Select(h => Farthest(spec.Distances, h, cpuNodes)).ToArray();
        var files = new int[spaces.Length];
        var filePages = (int)Math.Round(spec.PagesPerSpace * spec.FileFraction);
        for (var s = 0; s < spaces.Length; s++)
        {
            ThrowIfAbandoned();
            await monitor.ReportSetUp(new SetUpProgress("mapping memory", s, spaces.Length, "processes"));
            await spaces[s].Configure(Process(spec, topology, firstHome[s]));
            // Private memory in folios of the spec's size (where they fit and a node has a free range).
            await spaces[s].MmapAnonPrivate(spec.PagesPerSpace - filePages, writable: true, spec.FolioOrder);
            if (filePages > 0)
            {
                files[s] = await spaces[s].CreateFile();
                await spaces[s].MmapShared(files[s], 0, filePages, writable: true);
            }
        }

        // First touch on the first home node: every page is written once by its own process, all
        // processes at the same time (each touches only its own memory, so where a page lands
        // does not depend on which task runs first).
        await FirstTouch(spaces, spec, monitor, "first touch");

        // Then each process maps its neighbour's file, read-only, and reads it: the pages are in
        // the page cache already, on their owner's node.
        if (filePages > 0 && spaces.Length > 1)
        {
            for (var s = 0; s < spaces.Length; s++)
            {
                await spaces[s].MmapShared(files[(s + 1) % spaces.Length], 0, filePages, writable: false);
            }
            await FirstTouch(spaces, spec, monitor, "reading the neighbours' files");
        }

        // A driver holds some private pages for I/O: they cannot migrate.
        if (spec.PinnedPagesPerSpace > 0)
        {
            foreach (var s in spaces)
            {
                var pinned = (await s.GetPageTable()).Where(e => e.VmaKind == VmaKind.AnonPrivate).Take(spec.PinnedPagesPerSpace);
                foreach (var entry in pinned)
                {
                    await Node(entry.Page.Node).Pin(entry.Page.Pfn, 1);
                }
            }
        }

        // The scheduler moves every process: its memory is now remote.
        ThrowIfAbandoned();
        await monitor.ReportSetUp(new SetUpProgress("workloads before the migration", 0, spaces.Length, "processes"));
        for (var s = 0; s < spaces.Length; s++)
        {
            await spaces[s].MoveTo(Process(spec, topology, laterHome[s]));
        }
        var before = await RunWorkloads(spaces, spec, spec.Seed + 1);

        // NUMA balancing: each page goes to the node its owner now runs on.
        await monitor.ReportSetUp(new SetUpProgress("finding misplaced pages", 0, spaces.Length, "processes"));
        var requests = await MisplacedFolios(spaces, laterHome, nodes);
        ThrowIfAbandoned();
        var started = time.GetTimestamp();
        // The tasks keep running for as long as the migration does: their faults meet its migration entries.
        MigrationRunResult migration;
        WorkloadReport duringReport;
        if (spec.Schedule == TaskSchedule.Free)
        {
            var during = RunWorkloads(spaces, spec, spec.Seed + 2, untilStopped: true);
            try
            {
                migration = await MigrateMisplaced(requests, spec.Mode, spec.PacePagesPerSecond);
            }
            finally
            {
                // Also when the migration failed: the tasks would otherwise run on for ever.
                await Task.WhenAll(spaces.Select(s => s.StopWorkloads()));
            }
            duringReport = await during;
        }
        else
        {
            (migration, duringReport) = await MigrateInSimulatedTime(spaces, requests, spec);
        }
        var migrationMs = time.GetElapsedTime(started).TotalMilliseconds;
        ThrowIfAbandoned();
        var after = await RunWorkloads(spaces, spec, spec.Seed + 3);

        var pagesMapped = 0;
        foreach (var s in spaces)
        {
            pagesMapped += (await s.GetPageTable()).Length;
        }
        var invariants = await CheckInvariants(nodes, spaces, before.StaleReads + duringReport.StaleReads + after.StaleReads);
        return new ExperimentResult(nodes, spaces.Length, pagesMapped, requests.Length, migration, before, duringReport, after, invariants, migrationMs, spec.Schedule);
    }

    /// <summary>
    /// The migration with the tasks in simulated time (docs/simulated-time.md): a clock grain of
    /// this run holds the windows; the coordinators find it in the request context and wait there
    /// before each step tasks can see; the tasks run for exactly the migration's simulated duration.
    /// </summary>
    private async Task<(MigrationRunResult Migration, WorkloadReport During)> MigrateInSimulatedTime(IAddressSpaceGrain[] spaces, MigrationRequest[] requests, ExperimentSpec spec)
    {
        // The run's own name (its fence) names its clock too.
        var run = RunFence.Current!;
        var clock = GrainFactory.GetGrain<ISimulationClockGrain>(run);
        long[] coordinators = [.. requests.Select(r => (long)r.Page.Node).Distinct().Order()];
        // Which processes map each page: a coordinator's steps can meet only those processes' tasks.
        var mappers = new Dictionary<PageRef, List<long>>();
        foreach (var space in spaces)
        {
            foreach (var entry in await space.GetPageTable())
            {
                if (entry.Kind == PteKind.Present)
                {
                    if (!mappers.TryGetValue(entry.Page, out var list))
                    {
                        mappers[entry.Page] = list = [];
                    }
                    list.Add(space.GetPrimaryKeyLong());
                }
            }
        }
        long[][] spacesOf = [.. coordinators.Select(c => requests
            .Where(r => r.Page.Node == c)
            .SelectMany(r => mappers.GetValueOrDefault(r.Page) ?? [])
            .Distinct().Order().ToArray())];
        // The nodes a call takes frames from or gives frames to: calls that share one are ordered by time.
        int[][] nodesOf = [.. coordinators.Select(c => requests
            .Where(r => r.Page.Node == c)
            .Select(r => r.TargetNode)
            .Append((int)c)
            .Distinct().Order().ToArray())];
        await clock.Start(coordinators, spacesOf, [.. spaces.Select(s => s.GetPrimaryKeyLong())], nodesOf);
        _clock = clock;
        var workload = new WorkloadSpec(spec.Workload, spec.TasksPerSpace, spec.AccessesPerTask, spec.WriteFraction, spec.Seed + 2, ThinkNs: spec.ThinkNs);
        await Task.WhenAll(spaces.Select(s => s.StartSimulatedWorkload(workload)));
        MigrationRunResult migration;
        RequestContext.Set(SimulatedTimeContext.ClockKey, run);
        try
        {
            migration = await MigrateMisplaced(requests, spec.Mode, spec.PacePagesPerSecond);
        }
        finally
        {
            RequestContext.Remove(SimulatedTimeContext.ClockKey);
        }
        var end = await clock.Complete();
        var reports = await Task.WhenAll(spaces.Select(s => s.FinishSimulatedWorkload(end)));
        return (migration, reports.Aggregate(WorkloadReport.Combine));
    }

    /// <summary>
    /// The misplaced pages migrate as NUMA balancing moves them, source node by source node side
    /// by side: one migrate_pages call per source node, on the coordinator that lives with that
    /// node (so a call's steps on its old pages stay on their silo), all at once.
    /// </summary>
    private async Task<MigrationRunResult> MigrateMisplaced(MigrationRequest[] requests, MigrateMode mode, double pacePagesPerSecond)
    {
        var calls = requests
            .Select((request, index) => (request, index))
            .GroupBy(r => r.request.Page.Node)
            .OrderBy(g => g.Key)
            .Select(g => (Node: g.Key, Requests: g.Select(r => r.request).ToArray(), Indexes: g.Select(r => r.index).ToArray()))
            .ToArray();
        if (pacePagesPerSecond > 0 && calls.Length > 0)
        {
            // The calls run side by side: each takes its share of the pace.
            RequestContext.Set(MigrationPace.RequestContextKey, pacePagesPerSecond / calls.Length);
        }
        Task<MigrationRunResult>[] running;
        try
        {
            running = [.. calls.Select(c => GrainFactory.GetGrain<IMigrationCoordinatorGrain>(c.Node).MigratePages(c.Requests, mode, MigrateReason.NumaMisplaced, _running?.Token ?? default))];
        }
        finally
        {
            RequestContext.Remove(MigrationPace.RequestContextKey);
        }
        var results = await Task.WhenAll(running);
        return MigrationRunResult.Combine([.. results.Select((r, i) => (r, calls[i].Indexes))], requests.Length);
    }

    /// <summary>Every process's tasks touch each mapped page once (a write where the mapping is writable).</summary>
    private static async Task FirstTouch(IAddressSpaceGrain[] spaces, ExperimentSpec spec, IMachineMonitorGrain monitor, string phase)
    {
        var done = 0;
        await monitor.ReportSetUp(new SetUpProgress(phase, 0, spaces.Length, "processes"));
        await Task.WhenAll(spaces.Select(async s =>
        {
            var mapped = (await s.GetRegions()).Sum(r => r.Pages);
            var perTask = (int)((mapped + spec.TasksPerSpace - 1) / spec.TasksPerSpace);
            await s.RunWorkload(new WorkloadSpec(WorkloadPattern.Sequential, spec.TasksPerSpace, perTask, 1.0, spec.Seed));
            await monitor.ReportSetUp(new SetUpProgress(phase, Interlocked.Increment(ref done), spaces.Length, "processes"));
        }));
    }

    private static int Farthest(int[][] distances, int from, int[] candidates) =>
        candidates.OrderByDescending(n => distances[from][n]).ThenBy(n => n).First();

    /// <summary>A process on <paramref name="home"/>: it allocates along the home node's zonelist (find_next_best_node), nearest first.</summary>
    private static AddressSpaceConfiguration Process(ExperimentSpec spec, NumaTopology topology, int home) => new(
        home,
        [.. topology.FallbackOrder(home)],
        spec.Distances[home],
        spec.LocalAccessNs);

    private static async Task<WorkloadReport> RunWorkloads(IAddressSpaceGrain[] spaces, ExperimentSpec spec, int seed, bool untilStopped = false)
    {
        var reports = await Task.WhenAll(spaces.Select(s => s.RunWorkload(new WorkloadSpec(spec.Workload, spec.TasksPerSpace, spec.AccessesPerTask, spec.WriteFraction, seed, untilStopped))));
        return reports.Aggregate(WorkloadReport.Combine);
    }

    /// <summary>
    /// Folios not on the node their owner runs on: a private folio follows its process, a file
    /// page its file's owner. A large folio is one request, by its head, in the order its first
    /// page is met.
    /// </summary>
    private async Task<MigrationRequest[]> MisplacedFolios(IAddressSpaceGrain[] spaces, int[] home, int nodes)
    {
        var orders = new Dictionary<PageRef, int>();
        for (var n = 0; n < nodes; n++)
        {
            foreach (var frame in await Node(n).SnapshotFrames())
            {
                if (frame.Order > 0)
                {
                    orders[new PageRef(n, frame.Pfn)] = frame.Order;
                }
            }
        }
        var requests = new Dictionary<PageRef, (int Target, int Order)>();
        for (var s = 0; s < spaces.Length; s++)
        {
            foreach (var entry in await spaces[s].GetPageTable())
            {
                var owner = entry.VmaKind == VmaKind.AnonPrivate ? s : PageMapping.FileOwner(entry.Mapping);
                var target = home[owner];
                if (entry.Kind == PteKind.Present && entry.Page.Node != target)
                {
                    var order = orders.GetValueOrDefault(entry.Page);
                    requests.TryAdd(new PageRef(entry.Page.Node, entry.Page.Pfn & ~((1L << order) - 1)), (target, order));
                }
            }
        }
        return [.. requests.Select(r => new MigrationRequest(r.Key, r.Value.Target, r.Value.Order))];
    }

    /// <summary>The memory model's invariants, checked across the grains' snapshots.</summary>
    private async Task<InvariantReport> CheckInvariants(int nodes, IAddressSpaceGrain[] spaces, long staleReads)
    {
        var frames = new Dictionary<PageRef, FrameSnapshot>();
        for (var n = 0; n < nodes; n++)
        {
            foreach (var frame in await Node(n).SnapshotFrames())
            {
                frames[new PageRef(n, frame.Pfn)] = frame;
            }
        }

        int present = 0, dead = 0, missingRmap = 0, migrationEntries = 0;
        var ptesPerFrame = new Dictionary<PageRef, int>();
        for (var s = 0; s < spaces.Length; s++)
        {
            foreach (var entry in await spaces[s].GetPageTable())
            {
                if (entry.Kind == PteKind.ZeroPage)
                {
                    // The shared zero page has no frame of its own.
                    continue;
                }
                if (entry.Kind == PteKind.Migration)
                {
                    migrationEntries++;
                    continue;
                }
                present++;
                if (!frames.TryGetValue(entry.Page, out var frame))
                {
                    dead++;
                    continue;
                }
                if (!frame.Rmap.Contains(new PteRef(s, entry.VirtualPage)))
                {
                    missingRmap++;
                }
                ptesPerFrame[entry.Page] = ptesPerFrame.GetValueOrDefault(entry.Page) + 1;
            }
        }

        int mapcount = 0, refcount = 0, locked = 0, orphans = 0;
        var folioMapped = new Dictionary<PageRef, int>();
        foreach (var (page, frame) in frames)
        {
            var ptes = ptesPerFrame.GetValueOrDefault(page);
            if (frame.Mapcount != ptes)
            {
                mapcount++;
            }
            if (frame.Order > 0)
            {
                // A large folio's pages hold on its head's count.
                var head = new PageRef(page.Node, page.Pfn & ~((1L << frame.Order) - 1));
                folioMapped[head] = folioMapped.GetValueOrDefault(head) + frame.Mapcount;
            }
            else if (frame.Refcount < frame.Mapcount + (PageMapping.IsFile(frame.Mapping) ? 1 : 0))
            {
                refcount++;
            }
            if ((frame.Flags & PageFlags.Locked) != 0)
            {
                locked++;
            }
            if (PageMapping.IsAnon(frame.Mapping) && ptes == 0)
            {
                orphans++;
            }
        }
        refcount += folioMapped.Count(f => !frames.TryGetValue(f.Key, out var head) || head.Refcount < f.Value);
        return new InvariantReport(present, frames.Count, dead, missingRmap, mapcount, refcount, migrationEntries, locked, orphans, staleReads, await CheckWithModelChecker(nodes, spaces.Length));
    }

    /// <summary>The memory model's invariant checker over a snapshot of every grain: null, or its first violation.</summary>
    private async Task<string?> CheckWithModelChecker(int nodes, int spaces)
    {
        var view = await GrainMachineView.SnapshotAsync(GrainFactory, Enumerable.Range(0, nodes), Enumerable.Range(0, spaces));
        try
        {
            InvariantChecker.Check(view);
            return null;
        }
        catch (InvariantViolationException violation)
        {
            return violation.Message;
        }
    }

    private INumaNodeGrain Node(int node) => GrainFactory.GetGrain<INumaNodeGrain>(node);

    private IAddressSpaceGrain Space(int space) => GrainFactory.GetGrain<IAddressSpaceGrain>(space);
}
