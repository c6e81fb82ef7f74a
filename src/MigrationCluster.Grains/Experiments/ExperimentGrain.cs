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
    public async Task<ExperimentResult> Run(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Validate() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var nodes = spec.Nodes;
        var topology = spec.Topology();
        var monitor = GrainFactory.GetMachineMonitor();
        await monitor.ReportSetUp(new SetUpProgress("configuring the nodes", 0, nodes, "nodes"));
        await Task.WhenAll(Enumerable.Range(0, nodes).Select(n => Node(n).Configure(new NodeConfiguration(spec.FramesPerNode))));
        // The cluster's machine monitor (the dashboard's page) now shows this machine, its counters from zero.
        await GrainFactory.GetMachineMonitor().ConfigureMachine(new MachineDescription(
            spec.Distances, spec.FramesPerNode, $"experiment '{this.GetPrimaryKeyString()}': {spec.AddressSpaces} processes x {spec.PagesPerSpace} pages",
            spec.Machine, spec.Protocol, CpusPerProcess: spec.TasksPerSpace));

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
            await monitor.ReportSetUp(new SetUpProgress("mapping memory", s, spaces.Length, "processes"));
            await spaces[s].Configure(Process(spec, topology, firstHome[s]));
            await spaces[s].MmapAnon(spec.PagesPerSpace - filePages, shared: false);
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
        await monitor.ReportSetUp(new SetUpProgress("workloads before the migration", 0, spaces.Length, "processes"));
        for (var s = 0; s < spaces.Length; s++)
        {
            await spaces[s].MoveTo(Process(spec, topology, laterHome[s]));
        }
        var before = await RunWorkloads(spaces, spec, spec.Seed + 1);

        // NUMA balancing: each page goes to the node its owner now runs on.
        await monitor.ReportSetUp(new SetUpProgress("finding misplaced pages", 0, spaces.Length, "processes"));
        var requests = await MisplacedPages(spaces, laterHome);
        var started = time.GetTimestamp();
        // The tasks keep running for as long as the migration does: their faults meet its migration entries.
        MigrationRunResult migration;
        WorkloadReport duringReport;
        if (spec.Schedule == TaskSchedule.Free)
        {
            var during = RunWorkloads(spaces, spec, spec.Seed + 2, untilStopped: true);
            migration = await MigrateMisplaced(requests, spec.Mode, spec.PacePagesPerSecond);
            await Task.WhenAll(spaces.Select(s => s.StopWorkloads()));
            duringReport = await during;
        }
        else
        {
            (migration, duringReport) = await MigrateInSimulatedTime(spaces, requests, spec);
        }
        var migrationMs = time.GetElapsedTime(started).TotalMilliseconds;
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
        var run = $"{this.GetPrimaryKeyString()}/{Guid.NewGuid():N}";
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
            running = [.. calls.Select(c => GrainFactory.GetGrain<IMigrationCoordinatorGrain>(c.Node).MigratePages(c.Requests, mode, MigrateReason.NumaMisplaced))];
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

    /// <summary>Pages not on the node their owner runs on: a private page follows its process, a file page its file's owner.</summary>
    private static async Task<MigrationRequest[]> MisplacedPages(IAddressSpaceGrain[] spaces, int[] home)
    {
        var requests = new Dictionary<PageRef, int>();
        for (var s = 0; s < spaces.Length; s++)
        {
            foreach (var entry in await spaces[s].GetPageTable())
            {
                var owner = entry.VmaKind == VmaKind.AnonPrivate ? s : PageMapping.FileOwner(entry.Mapping);
                var target = home[owner];
                if (entry.Kind == PteKind.Present && entry.Page.Node != target)
                {
                    requests.TryAdd(entry.Page, target);
                }
            }
        }
        return [.. requests.Select(r => new MigrationRequest(r.Key, r.Value))];
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
        foreach (var (page, frame) in frames)
        {
            var ptes = ptesPerFrame.GetValueOrDefault(page);
            if (frame.Mapcount != ptes)
            {
                mapcount++;
            }
            if (frame.Refcount < frame.Mapcount + (PageMapping.IsFile(frame.Mapping) ? 1 : 0))
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
