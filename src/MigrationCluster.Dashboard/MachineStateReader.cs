using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Dashboard;

/// <summary>
/// Reads the machine's state from the cluster: the machine monitor's snapshot and each configured
/// node's status (frames used and free, its silo), one call per node, all at once. Answers within
/// <see cref="CacheFor"/> share one read, so any number of open pages cost the cluster the same.
/// </summary>
public sealed class MachineStateReader(IGrainFactory grains, MigrationClusterDashboardOptions options)
{
    /// <summary>How long one read serves every page that asks.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the cluster may take to answer before the page hears that it does not.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The rate the page shows as "now": the mean over this many seconds, the current one included.</summary>
    public const int RateAverageSeconds = 5;

    public const string NoMachineMessage = "No machine is configured on this cluster yet: start a run against it, e.g. `migration-cluster run --cluster DIR`, and its nodes appear here.";

    private readonly Lock _lock = new();
    private Task<MachineState>? _last;
    private long _lastStarted;

    public Task<MachineState> ReadAsync()
    {
        lock (_lock)
        {
            var now = Environment.TickCount64;
            if (_last is null || _last.IsFaulted || now - _lastStarted >= CacheFor.TotalMilliseconds)
            {
                _last = ReadFreshAsync();
                _lastStarted = now;
            }
            return _last;
        }
    }

    private async Task<MachineState> ReadFreshAsync()
    {
        var snapshot = await grains.GetMachineMonitor().GetSnapshot().WaitAsync(ReadTimeout).ConfigureAwait(false);
        var nodes = snapshot.Machine?.Nodes ?? 0;
        var statuses = await Task.WhenAll(Enumerable.Range(0, nodes).Select(ReadNodeAsync)).ConfigureAwait(false);
        return Project(snapshot, statuses, options.ClusterName, options.Jaeger);
    }

    /// <summary>A node that does not answer (not configured any more, its silo gone) shows why instead of its frames.</summary>
    private async Task<NodeReading> ReadNodeAsync(int node)
    {
        try
        {
            return new NodeReading(node, await grains.GetGrain<INumaNodeGrain>(node).GetStatus().WaitAsync(ReadTimeout).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is InvalidOperationException or OrleansException or TimeoutException)
        {
            return new NodeReading(node, null, exception.Message);
        }
    }

    /// <summary>The page's view of a snapshot and the nodes' statuses.</summary>
    public static MachineState Project(MachineMonitorSnapshot snapshot, IReadOnlyList<NodeReading> statuses, string cluster, Uri? jaeger)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(statuses);
        var machine = snapshot.Machine is { } m
            ? new MachineView(m.Nodes, m.FramesPerNode, m.ConfiguredBy, snapshot.ConfiguredUnixMs, m.Distances)
            : null;
        var migrated = snapshot.Nodes.ToDictionary(n => n.Node);
        var nodes = statuses.OrderBy(s => s.Node).Select(s =>
        {
            var counts = migrated.GetValueOrDefault(s.Node);
            var status = s.Status;
            return new NodeView(
                s.Node,
                $"node {s.Node}",
                status?.Silo,
                status?.Capacity,
                status is null ? null : status.Capacity - status.FreePages,
                status?.FreePages,
                status?.ActivePages,
                status?.InactivePages,
                status?.Waiters,
                counts?.PagesIn ?? 0,
                counts?.PagesOut ?? 0,
                s.Error);
        }).ToArray();

        var rate = snapshot.Rate;
        var recent = rate.Migrated.AsSpan(Math.Max(0, rate.Migrated.Length - RateAverageSeconds));
        long sum = 0;
        foreach (var pages in recent)
        {
            sum += pages;
        }
        var rateView = new RateView(rate.Migrated.Length, RateAverageSeconds, rate.EndUnixSecond, rate.Migrated, rate.Failed, (double)sum / RateAverageSeconds);

        var calls = snapshot.Calls.Select(c => new MigrationCallView(
            c.CallId,
            !c.Finished,
            c.StartedUnixMs,
            c.SimulatedNs,
            c.ElapsedMs,
            c.Mode,
            c.Reason,
            c.Requested,
            c.Succeeded,
            c.Failed,
            c.Retried,
            c.Passes,
            c.Coordinator,
            c.Silo,
            c.TraceId,
            c.TraceId is { } id && jaeger is not null ? new Uri(jaeger, "trace/" + id).AbsoluteUri : null,
            Steps(c))).ToArray();

        return new MachineState(
            cluster,
            snapshot.NowUnixMs,
            machine is not null,
            machine is null ? NoMachineMessage : null,
            machine,
            nodes,
            snapshot.VmStat,
            rateView,
            calls);
    }

    /// <summary>A call's steps in the step table's order, each with its simulated and its host time (zero where a report has only one).</summary>
    private static StepView[] Steps(MigrationReport call)
    {
        var host = call.Steps.ToDictionary(s => s.Step);
        var simulated = (call.SimulatedSteps ?? []).ToDictionary(s => s.Step);
        return [.. host.Keys.Union(simulated.Keys).Order().Select(step =>
        {
            var h = host.GetValueOrDefault(step);
            var s = simulated.GetValueOrDefault(step);
            var batches = s?.Batches ?? h!.Batches;
            return new StepView(step, s?.Name ?? h!.Name, batches, s?.TotalNs ?? 0, s is null || batches == 0 ? 0 : s.TotalNs / batches, h?.TotalMs ?? 0, h?.MeanMs ?? 0);
        })];
    }
}
