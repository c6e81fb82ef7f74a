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
public sealed class MigrationCoordinatorGrain : Grain, IMigrationCoordinatorGrain
{
    public async Task<MigrationRunResult> MigratePages(MigrationRequest[] requests, MigrateMode mode, MigrateReason reason)
    {
        ArgumentNullException.ThrowIfNull(requests);
        // Runs of pages with the same source and target make a batch cost one call per step and node.
        var order = Enumerable.Range(0, requests.Length)
            .OrderBy(i => requests[i].Page.Node).ThenBy(i => requests[i].TargetNode).ThenBy(i => requests[i].Page.Pfn)
            .ToArray();

        var errno = new int[requests.Length];
        var newPages = Enumerable.Repeat(PageRef.None, requests.Length).ToArray();
        var isolated = await IsolatePages(requests, order, errno);

        var backend = new GrainMigrationBackend(GrainFactory);
        var tracer = new MigrationTracer();
        var protocol = new MigrationProtocol(backend, tracer);
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
        var vmstat = new Dictionary<string, long>
        {
            [VmStat.PgmigrateSuccessName] = result.Succeeded,
            [VmStat.PgmigrateFailName] = result.Failed + notIsolated,
            [VmStat.NumaPagesMigratedName] = reason == MigrateReason.NumaMisplaced ? result.Succeeded : 0,
        };
        return new MigrationRunResult(
            result.ReturnValue < 0 ? result.ReturnValue : result.ReturnValue + notIsolated,
            result.Succeeded,
            result.Failed + notIsolated,
            notIsolated,
            tracer.RetriedPages,
            result.Passes,
            errno,
            newPages,
            vmstat,
            tracer.StepLatencies);
    }

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
}
