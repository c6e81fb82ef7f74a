using MigrationCluster.Memory;

namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// The monitor's bookkeeping, apart from the grain so it can be tested on its own. Reports are
/// cumulative per call: each adds what it has beyond the call's last report, so a report that
/// arrives late (older than one already seen) or after the call's final report adds nothing, and
/// a lost one only delays the numbers. Memory is bounded: <see cref="RecentCalls"/> finished
/// calls, <see cref="MaxRunningCalls"/> running ones (a call whose final report never came is
/// dropped oldest first), and <see cref="RateSeconds"/> one-second rate buckets.
/// </summary>
internal sealed class MachineMonitorState
{
    public const int DefaultRecentCalls = 50;
    public const int DefaultRateSeconds = 300;
    public const int MaxRunningCalls = 64;

    /// <summary>The kernel's counters the page shows, present (at 0) from the start.</summary>
    public static readonly IReadOnlyList<string> VmStatNames =
    [
        VmStat.PgmigrateSuccessName, VmStat.PgmigrateFailName, VmStat.NumaPagesMigratedName,
        VmStat.ThpMigrationSuccessName, VmStat.ThpMigrationFailName, VmStat.ThpMigrationSplitName,
    ];

    private readonly Dictionary<string, long> _vmstat = [];
    private readonly SortedDictionary<int, (long In, long Out)> _nodes = [];
    private readonly Dictionary<string, MigrationReport> _running = [];
    private readonly LinkedList<MigrationReport> _finished = [];
    private readonly HashSet<string> _finishedIds = [];
    private readonly RateHistory _rate;

    public MachineMonitorState(int recentCalls = DefaultRecentCalls, int rateSeconds = DefaultRateSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recentCalls, 1);
        RecentCalls = recentCalls;
        RateSeconds = rateSeconds;
        _rate = new RateHistory(rateSeconds);
        ResetCounters(nodes: 0);
    }

    public int RecentCalls { get; }

    public int RateSeconds { get; }

    public MachineDescription? Machine { get; private set; }

    public long ConfiguredUnixMs { get; private set; }

    /// <summary>A new machine: vmstat and the per-node counts start again from zero; the rate and the calls go on.</summary>
    public void Configure(MachineDescription machine, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(machine);
        Machine = machine;
        ConfiguredUnixMs = nowUnixMs;
        ResetCounters(machine.Nodes);
    }

    public void Report(MigrationReport report, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_finishedIds.Contains(report.CallId))
        {
            return;
        }
        var previous = _running.GetValueOrDefault(report.CallId);
        if (previous is not null && report.ElapsedMs < previous.ElapsedMs)
        {
            // An older report overtaken by a newer one: it has nothing new.
            return;
        }

        foreach (var (name, value) in report.VmStat)
        {
            var delta = value - (previous?.VmStat.GetValueOrDefault(name) ?? 0);
            if (delta > 0)
            {
                _vmstat[name] = _vmstat.GetValueOrDefault(name) + delta;
            }
        }
        var before = previous?.Nodes.ToDictionary(n => n.Node) ?? [];
        foreach (var node in report.Nodes)
        {
            var was = before.GetValueOrDefault(node.Node);
            var (pagesIn, pagesOut) = _nodes.GetValueOrDefault(node.Node);
            _nodes[node.Node] = (pagesIn + Math.Max(0, node.PagesIn - (was?.PagesIn ?? 0)), pagesOut + Math.Max(0, node.PagesOut - (was?.PagesOut ?? 0)));
        }
        var migrated = Math.Max(0, report.Succeeded - (previous?.Succeeded ?? 0));
        var failed = Math.Max(0, report.Failed - (previous?.Failed ?? 0));
        _rate.Add(Math.DivRem(nowUnixMs, 1000).Quotient, migrated, failed);

        if (!report.Finished)
        {
            _running[report.CallId] = report;
            if (_running.Count > MaxRunningCalls)
            {
                _running.Remove(_running.Values.MinBy(r => r.StartedUnixMs)!.CallId);
            }
            return;
        }
        _running.Remove(report.CallId);
        _finished.AddFirst(report);
        _finishedIds.Add(report.CallId);
        while (_finished.Count > RecentCalls)
        {
            _finishedIds.Remove(_finished.Last!.Value.CallId);
            _finished.RemoveLast();
        }
    }

    public MachineMonitorSnapshot Snapshot(long nowUnixMs) => new(
        Machine,
        ConfiguredUnixMs,
        nowUnixMs,
        new Dictionary<string, long>(_vmstat),
        [.. _nodes.Select(n => new NodeMigrationCount(n.Key, n.Value.In, n.Value.Out))],
        _rate.Snapshot(Math.DivRem(nowUnixMs, 1000).Quotient),
        [.. _running.Values.OrderByDescending(r => r.StartedUnixMs), .. _finished]);

    private void ResetCounters(int nodes)
    {
        _vmstat.Clear();
        foreach (var name in VmStatNames)
        {
            _vmstat[name] = 0;
        }
        _nodes.Clear();
        for (var n = 0; n < nodes; n++)
        {
            _nodes[n] = (0, 0);
        }
    }
}
