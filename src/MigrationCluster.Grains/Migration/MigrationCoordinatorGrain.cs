using System.Buffers;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Grains.SimulatedTime;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// The migration coordinator. The protocol itself is <see cref="MigrationProtocol"/> from the
/// memory model, written once and read top to bottom in the step table's order; here it runs over
/// <see cref="GrainMigrationBackend"/>, so each step is a few grain calls, and
/// <see cref="MigrationTracer"/> makes every step a span.
/// Not reentrant: one migration at a time per coordinator, as one migrate_pages call runs in one
/// task. It calls node and address-space grains, which never call back, so it cannot deadlock.
/// </summary>
[NumaNodePlacement]
public sealed class MigrationCoordinatorGrain(TimeProvider time) : Grain, IMigrationCoordinatorGrain
{
    /// <summary>
    /// How often at most a running call reports its progress to the machine monitor (the
    /// dashboard polls twice a second); the end of the call is always reported.
    /// </summary>
    public static readonly TimeSpan ProgressReportInterval = TimeSpan.FromMilliseconds(100);

    public Task<MigrationRunResult> MigratePages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason, CancellationToken cancellation = default) =>
        Start(requests, mode, reason, isolate: true, cancellation);

    public Task<MigrationRunResult> MigrateIsolatedPages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason) =>
        Start(requests, mode, reason, isolate: false, CancellationToken.None);

    private async Task<MigrationRunResult> Start(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason, bool isolate, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var started = time.GetTimestamp();
        var call = new CallReporter(this, requests.Length, mode, reason, time.GetUtcNow().ToUnixTimeMilliseconds());
        var order = ArrayPool<int>.Shared.Rent(requests.Length);
        var batch = ArrayPool<MigrationRequest>.Shared.Rent(requests.Length);
        // The call's simulated clock: steps costed on the configured machine; within a run with
        // tasks in simulated time, the steps tasks can see wait for them at the run's clock grain.
        var gate = RequestContext.Get(SimulatedTimeContext.ClockKey) is string run
            ? new ClockGate(GrainFactory.GetGrain<ISimulationClockGrain>(run), this.GetPrimaryKeyLong())
            : null;
        try
        {
            var clock = (await MachineCostCache.GetAsync(GrainFactory)).Clock(gate);
            return await MigratePages(requests, order, batch, mode, reason, started, call, isolate, clock, cancellation);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<MigrationRequest>.Shared.Return(batch);
            if (gate is { Finished: false })
            {
                // Failed before the protocol ran: the run's tasks must not wait for this call.
                await gate.Finish(0, [], 0);
            }
        }
    }

    /// <summary>
    /// The call itself, with two scratch arrays of at least the requests' length (pooled: a call
    /// of 65,536 pages would otherwise allocate 1.8 MB of them).
    /// </summary>
    private async Task<MigrationRunResult> MigratePages(MigrationRequest[] requests, int[] order, MigrationRequest[] batch, MigrateMode mode, MigrateReason reason, long started, CallReporter call, bool isolate, MigrationClock clock, CancellationToken cancellation)
    {
        var errno = new int[requests.Length];
        int isolated;
        if (isolate)
        {
            RunOrder(requests, order);
            isolated = await IsolatePages(requests, order, errno);
        }
        else
        {
            // Pages the caller isolated keep the caller's order: new frames are allocated in the
            // order the in-process model allocates them.
            for (var k = 0; k < requests.Length; k++)
            {
                order[k] = k;
            }
            isolated = requests.Length;
        }

        var backend = new GrainMigrationBackend(GrainFactory, MigrationPace.FromRequestContext(time, cancellation));
        var tracer = new MigrationTracer(clock);
        // After a batch the machine monitor hears how far the call got (a one-way call), at most
        // once per ProgressReportInterval: a report costs a message and the step percentiles.
        var lastReport = started;
        var progress = new MigrationProgressObserver(tracer, p =>
        {
            if (time.GetElapsedTime(lastReport) >= ProgressReportInterval)
            {
                lastReport = time.GetTimestamp();
                // The call's vm events so far, by the rule migrate_pages() counts them with at its end.
                call.Report(time.GetElapsedTime(started), p.Succeeded, p.Failed, tracer.RetriedPages, p.Passes, p.Nodes, tracer, clock, MigrationVmEvents.Of(p.Succeeded, p.Failed, reason), finished: false);
            }
        });
        var protocol = new MigrationProtocol(backend, progress, clock: clock);
        MigrateResult result;
        PageRef[] newPages;
        if (isolated == requests.Length && IsIdentity(order, isolated))
        {
            // Every page isolated and the requests already in run order (the usual case: a
            // caller lists a node's pages in pfn order): the protocol's answers are the call's.
            result = await protocol.MigratePages(requests, mode, reason);
            errno = result.PageErrno as int[] ?? [.. result.PageErrno];
            newPages = result.NewPages as PageRef[] ?? [.. result.NewPages];
        }
        else
        {
            for (var k = 0; k < isolated; k++)
            {
                batch[k] = requests[order[k]];
            }
            result = await protocol.MigratePages(new ArraySegment<MigrationRequest>(batch, 0, isolated), mode, reason);
            newPages = new PageRef[requests.Length];
            Array.Fill(newPages, PageRef.None);
            for (var k = 0; k < isolated; k++)
            {
                errno[order[k]] = result.PageErrno[k];
                newPages[order[k]] = result.NewPages[k];
            }
        }

        var notIsolated = requests.Length - isolated;
        MigrationTelemetry.Count(result.VmEvents);
        call.Report(time.GetElapsedTime(started), result.Succeeded, result.Failed + notIsolated, tracer.RetriedPages, result.Passes, progress.Nodes, tracer, clock, result.VmEvents, finished: true);
        return new MigrationRunResult(
            result.ReturnValue < 0 ? result.ReturnValue : result.ReturnValue + notIsolated,
            result.Succeeded,
            result.Failed + notIsolated,
            notIsolated,
            tracer.RetriedPages,
            result.Passes,
            errno,
            newPages,
            result.VmEvents,
            tracer.StepLatencies,
            tracer.StepBatchTimes,
            clock.NowNs,
            clock.Steps,
            clock.TlbShootdowns,
            clock.TlbIpis);
    }

    /// <summary>
    /// Fills the first requests.Length entries of <paramref name="order"/> with the requests' indexes by source node, then target node, then pfn: runs of pages with the
    /// same source and target make a batch cost one call per step and node.
    /// </summary>
    private static void RunOrder(MigrationRequest[] requests, int[] order)
    {
        var keys = ArrayPool<ulong>.Shared.Rent(requests.Length);
        for (var i = 0; i < requests.Length; i++)
        {
            // Node ids are below 1,024 and pfns below 2^40: one sortable key.
            var r = requests[i];
            keys[i] = ((ulong)(uint)r.Page.Node << 52) | ((ulong)(uint)r.TargetNode << 40) | ((ulong)r.Page.Pfn & 0xFF_FFFF_FFFF);
            order[i] = i;
        }
        Array.Sort(keys, order, 0, requests.Length);
        ArrayPool<ulong>.Shared.Return(keys);
    }

    /// <summary>
    /// isolate_lru_page on each page's node (one call per node, together). The request indexes
    /// isolated stay at the front of <paramref name="order"/>, in migration order; returns how many.
    /// </summary>
    private async Task<int> IsolatePages(MigrationRequest[] requests, int[] order, int[] errno)
    {
        // order is sorted by source node: each node's requests are one run of it.
        var runs = new List<(int Node, int Start, int Length)>();
        for (var i = 0; i < requests.Length;)
        {
            var node = requests[order[i]].Page.Node;
            var j = i + 1;
            while (j < requests.Length && requests[order[j]].Page.Node == node)
            {
                j++;
            }
            runs.Add((node, i, j - i));
            i = j;
        }
        var answers = await Task.WhenAll(runs.Select(run =>
        {
            var pfns = new long[run.Length];
            for (var k = 0; k < pfns.Length; k++)
            {
                pfns[k] = requests[order[run.Start + k]].Page.Pfn;
            }
            return GrainFactory.GetGrain<INumaNodeMigrationGrain>(run.Node).IsolateLruPages(pfns);
        }));
        var isolated = 0;
        for (var r = 0; r < runs.Count; r++)
        {
            for (var k = 0; k < runs[r].Length; k++)
            {
                // In place: the isolated count never runs ahead of the position read.
                var index = order[runs[r].Start + k];
                if (answers[r][k])
                {
                    order[isolated++] = index;
                }
                else
                {
                    errno[index] = -Errno.EBUSY;
                }
            }
        }
        return isolated;
    }

    private static bool IsIdentity(int[] order, int count)
    {
        for (var k = 0; k < count; k++)
        {
            if (order[k] != k)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Tells the cluster's machine monitor how one call stands (cumulative, one-way: the migration
    /// never waits for it). The report joins the migration's trace under its root span.
    /// </summary>
    private sealed class CallReporter(MigrationCoordinatorGrain grain, int requested, MigrateMode mode, MigrateReason reason, long startedUnixMs)
    {
        private readonly string _callId = Guid.NewGuid().ToString("N");
        private readonly IMachineMonitorGrain _monitor = grain.GrainFactory.GetMachineMonitor();

        public void Report(TimeSpan elapsed, int succeeded, int failed, int retried, int passes, IReadOnlyList<NodeMigrationCount> nodes, MigrationTracer tracer, MigrationClock clock, MigrationVmEvents vmEvents, bool finished) =>
            _monitor.ReportMigration(new MigrationReport(
                _callId,
                grain.GetPrimaryKeyLong(),
                grain.RuntimeIdentity,
                MigrateNames.Of(mode),
                MigrateNames.Of(reason),
                startedUnixMs,
                elapsed.TotalMilliseconds,
                requested,
                succeeded,
                failed,
                retried,
                passes,
                vmEvents.ToDictionary(),
                nodes,
                tracer.StepLatencies,
                tracer.TraceId,
                finished,
                clock.NowNs,
                [.. clock.Steps.Select(s => new StepSimulatedTotal(s.Step, s.Name, s.BatchNs.Length, s.TotalNs))])).Ignore();
    }
}
