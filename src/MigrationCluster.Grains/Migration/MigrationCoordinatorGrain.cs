using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.Placement;
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
    public async Task<MigrationRunResult> MigratePages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var started = time.GetTimestamp();
        var call = new CallReporter(this, requests.Length, mode, reason, time.GetUtcNow().ToUnixTimeMilliseconds());

        // Runs of pages with the same source and target make a batch cost one call per step and node.
        var order = Enumerable.Range(0, requests.Length)
            .OrderBy(i => requests[i].Page.Node).ThenBy(i => requests[i].TargetNode).ThenBy(i => requests[i].Page.Pfn)
            .ToArray();

        var errno = new int[requests.Length];
        var newPages = Enumerable.Repeat(PageRef.None, requests.Length).ToArray();
        var isolated = await IsolatePages(requests, order, errno);

        var backend = new GrainMigrationBackend(GrainFactory);
        var tracer = new MigrationTracer();
        // After each batch the machine monitor hears how far the call got (one one-way call per batch).
        var progress = new MigrationProgressObserver(tracer, p => call.Report(
            time.GetElapsedTime(started), p.Succeeded, p.Failed, tracer.RetriedPages, p.Passes, p.Nodes, tracer, finished: false));
        var protocol = new MigrationProtocol(backend, progress);
        var result = await protocol.MigratePages([.. isolated.Select(i => requests[i])], mode, reason);
        for (var k = 0; k < isolated.Count; k++)
        {
            errno[isolated[k]] = result.PageErrno[k];
            newPages[isolated[k]] = result.NewPages[k];
        }

        var notIsolated = requests.Length - isolated.Count;
        MigrationTelemetry.PgmigrateSuccess.Add(result.Succeeded);
        MigrationTelemetry.PgmigrateFail.Add(result.Failed + notIsolated);
        if (reason == MigrateReason.NumaMisplaced)
        {
            MigrationTelemetry.NumaPagesMigrated.Add(result.Succeeded);
        }
        call.Report(time.GetElapsedTime(started), result.Succeeded, result.Failed + notIsolated, tracer.RetriedPages, result.Passes, progress.Nodes, tracer, finished: true);
        return new MigrationRunResult(
            result.ReturnValue < 0 ? result.ReturnValue : result.ReturnValue + notIsolated,
            result.Succeeded,
            result.Failed + notIsolated,
            notIsolated,
            tracer.RetriedPages,
            result.Passes,
            errno,
            newPages,
            VmStatOf(result.Succeeded, result.Failed + notIsolated, reason),
            tracer.StepLatencies);
    }

    /// <summary>The vmstat counters a migration bumps, by their /proc/vmstat names.</summary>
    private static Dictionary<string, long> VmStatOf(int succeeded, int failed, MigrateReason reason) => new()
    {
        [VmStat.PgmigrateSuccessName] = succeeded,
        [VmStat.PgmigrateFailName] = failed,
        [VmStat.NumaPagesMigratedName] = reason == MigrateReason.NumaMisplaced ? succeeded : 0,
    };

    /// <summary>isolate_lru_page on each page's node; returns the request indexes isolated, in migration order.</summary>
    private async Task<List<int>> IsolatePages(MigrationRequest[] requests, int[] order, int[] errno)
    {
        var byNode = order.GroupBy(i => requests[i].Page.Node).ToArray();
        var answers = await Task.WhenAll(byNode.Select(g => GrainFactory.GetGrain<INumaNodeGrain>(g.Key).IsolateLruPages([.. g.Select(i => requests[i].Page.Pfn)])));
        var isolated = new HashSet<int>();
        for (var n = 0; n < byNode.Length; n++)
        {
            var indexes = byNode[n].ToArray();
            for (var k = 0; k < indexes.Length; k++)
            {
                if (answers[n][k])
                {
                    isolated.Add(indexes[k]);
                }
                else
                {
                    errno[indexes[k]] = -Errno.EBUSY;
                }
            }
        }
        return [.. order.Where(isolated.Contains)];
    }

    /// <summary>
    /// Tells the cluster's machine monitor how one call stands (cumulative, one-way: the migration
    /// never waits for it). The report joins the migration's trace under its root span.
    /// </summary>
    private sealed class CallReporter(MigrationCoordinatorGrain grain, int requested, MigrateMode mode, MigrateReason reason, long startedUnixMs)
    {
        private readonly string _callId = Guid.NewGuid().ToString("N");
        private readonly IMachineMonitorGrain _monitor = grain.GrainFactory.GetMachineMonitor();

        public void Report(TimeSpan elapsed, int succeeded, int failed, int retried, int passes, IReadOnlyList<NodeMigrationCount> nodes, MigrationTracer tracer, bool finished) =>
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
                VmStatOf(succeeded, failed, reason),
                nodes,
                tracer.StepLatencies,
                tracer.TraceId,
                finished)).Ignore();
    }
}
