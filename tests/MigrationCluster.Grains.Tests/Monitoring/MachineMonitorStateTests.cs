using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Memory;

namespace MigrationCluster.Grains.Tests.Monitoring;

public sealed class MachineMonitorStateTests
{
    private const long T0 = 1_800_000_000_000; // a whole second, in Unix milliseconds

    private static readonly MachineDescription TwoNodes = new([[10, 21], [21, 10]], 128, "test");

    /// <summary>A call's report, cumulative: <paramref name="succeeded"/> pages moved from node 0 to node 1 so far.</summary>
    private static MigrationReport Report(string id, double elapsedMs, int succeeded, int failed = 0, bool finished = false, long startedUnixMs = T0) => new(
        id, 0, "silo", "MIGRATE_SYNC", "numa_misplaced", startedUnixMs, elapsedMs, 1000, succeeded, failed, 0, 1,
        new Dictionary<string, long>
        {
            [VmStat.PgmigrateSuccessName] = succeeded,
            [VmStat.PgmigrateFailName] = failed,
            [VmStat.NumaPagesMigratedName] = succeeded,
        },
        [new NodeMigrationCount(0, 0, succeeded), new NodeMigrationCount(1, succeeded, 0)],
        [new StepLatency(1, "lock_page", 1, elapsedMs)],
        null,
        finished);

    [Fact]
    public void Progress_and_final_reports_of_a_call_add_up_to_its_totals_once()
    {
        var state = new MachineMonitorState();
        state.Configure(TwoNodes, T0);

        state.Report(Report("a", 100, 512), T0 + 100);
        var during = state.Snapshot(T0 + 200);
        Assert.Equal(512, during.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.True(Assert.Single(during.Calls).Finished is false);

        state.Report(Report("a", 900, 1000, failed: 3, finished: true), T0 + 1900);
        var after = state.Snapshot(T0 + 2000);
        Assert.Equal(1000, after.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.Equal(3, after.VmStat[VmStat.PgmigrateFailName]);
        Assert.Equal(1000, after.VmStat[VmStat.NumaPagesMigratedName]);
        Assert.Equal([new NodeMigrationCount(0, 0, 1000), new NodeMigrationCount(1, 1000, 0)], after.Nodes);
        Assert.True(Assert.Single(after.Calls).Finished);

        // The per-second rate has each report's new pages in the second it came in.
        Assert.Equal(1000, after.Rate.Migrated.Sum());
        Assert.Equal(T0 / 1000 + 2, after.Rate.EndUnixSecond);
        Assert.Equal(512, after.Rate.Migrated[^3]);
        Assert.Equal(488, after.Rate.Migrated[^2]);
        Assert.Equal(3, after.Rate.Failed[^2]);
    }

    [Fact]
    public void A_report_that_arrives_late_adds_nothing()
    {
        var state = new MachineMonitorState();
        state.Configure(TwoNodes, T0);
        state.Report(Report("a", 200, 600), T0);
        state.Report(Report("a", 100, 300), T0);               // overtaken by the one above
        state.Report(Report("a", 300, 700, finished: true), T0);
        state.Report(Report("a", 250, 650), T0);               // after the final report

        var snapshot = state.Snapshot(T0);
        Assert.Equal(700, snapshot.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.Equal(700, snapshot.Nodes.Single(n => n.Node == 1).PagesIn);
        Assert.Equal(700, snapshot.Rate.Migrated.Sum());
        Assert.Equal(700, Assert.Single(snapshot.Calls).Succeeded);
    }

    [Fact]
    public void Without_a_machine_the_counters_are_zero_and_a_new_machine_starts_them_again()
    {
        var state = new MachineMonitorState();
        var empty = state.Snapshot(T0);
        Assert.Null(empty.Machine);
        Assert.Equal(MachineMonitorState.VmStatNames.Order(), empty.VmStat.Keys.Order());
        Assert.All(empty.VmStat.Values, v => Assert.Equal(0, v));

        state.Configure(TwoNodes, T0);
        state.Report(Report("a", 10, 50, finished: true), T0);
        var threeNodes = new MachineDescription([[10, 20, 30], [20, 10, 20], [30, 20, 10]], 64, "again");
        state.Configure(threeNodes, T0 + 5000);

        var snapshot = state.Snapshot(T0 + 5000);
        Assert.Same(threeNodes, snapshot.Machine);
        Assert.Equal(T0 + 5000, snapshot.ConfiguredUnixMs);
        Assert.Equal(0, snapshot.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.Equal([0, 1, 2], snapshot.Nodes.Select(n => n.Node));
        Assert.All(snapshot.Nodes, n => Assert.Equal((0, 0), (n.PagesIn, n.PagesOut)));
        // The calls and the rate are history: they stay.
        Assert.Single(snapshot.Calls);
        Assert.Equal(50, snapshot.Rate.Migrated.Sum());
    }

    [Fact]
    public void The_history_keeps_the_newest_calls_and_lists_running_ones_first()
    {
        var state = new MachineMonitorState(recentCalls: 3, rateSeconds: 60);
        for (var i = 0; i < 5; i++)
        {
            state.Report(Report($"done{i}", 10, 1, finished: true, startedUnixMs: T0 + i), T0 + i);
        }
        state.Report(Report("running", 10, 1, startedUnixMs: T0 + 10), T0 + 10);

        var calls = state.Snapshot(T0 + 20).Calls;
        Assert.Equal(["running", "done4", "done3", "done2"], calls.Select(c => c.CallId));
    }

    [Fact]
    public void Calls_whose_final_report_never_came_are_dropped_oldest_first()
    {
        var state = new MachineMonitorState();
        for (var i = 0; i < MachineMonitorState.MaxRunningCalls + 5; i++)
        {
            state.Report(Report($"lost{i}", 10, 1, startedUnixMs: T0 + i), T0);
        }

        var calls = state.Snapshot(T0).Calls;
        Assert.Equal(MachineMonitorState.MaxRunningCalls, calls.Count);
        Assert.DoesNotContain(calls, c => c.CallId == "lost0");
        Assert.Contains(calls, c => c.CallId == $"lost{MachineMonitorState.MaxRunningCalls + 4}");
    }

    [Fact]
    public void The_rate_window_forgets_seconds_older_than_it_and_clears_the_ones_it_skips()
    {
        var rate = new RateHistory(seconds: 10);
        rate.Add(100, 5, 0);
        rate.Add(101, 7, 1);
        rate.Add(101, 1, 0);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 5, 8], rate.Snapshot(101).Migrated);
        Assert.Equal(1, rate.Snapshot(101).Failed[^1]);
        // Nothing since: the window slides on.
        Assert.Equal([0, 0, 0, 0, 0, 5, 8, 0, 0, 0], rate.Snapshot(104).Migrated);

        rate.Add(115, 2, 0);   // five seconds past the window: 100 and 101 are gone
        rate.Add(104, 9, 0);   // too old now
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 2], rate.Snapshot(115).Migrated);
        Assert.Equal(2, rate.Snapshot(120).Migrated[4]);
    }
}
