using System.Diagnostics;
using MigrationCluster.Hosting.Telemetry;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class SimulatedClockSpanProcessorTests
{
    private static readonly BatchExportActivityProcessorOptions OneBatch = new() { ScheduledDelayMilliseconds = 600_000 };

    [Fact]
    public void Spans_move_to_simulated_time_from_the_epoch_by_their_own_times_those_under_them_or_those_above_them()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.SimClock." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions { Targets = [TraceExportTarget.JsonLines(file.Path)], Batch = OneBatch, Clock = TraceClock.Simulated };
        using (var session = MigrationClusterTracing.Start(options, [sourceName], "simclock-test"))
        {
            Assert.NotNull(session);
            using (source.StartActivity("run"))
            {
                using (source.StartActivity("setup"))
                {
                }
                using (var call = source.StartActivity("IMigrationCoordinatorGrain/MigratePages", ActivityKind.Client)!)
                {
                    using var root = source.StartActivity("migrate_pages")!;
                    root.SetTag("sim.start_ns", 0L);
                    using (var step = source.StartActivity("copy_page")!)
                    {
                        // As the tracer does: the start is known when the step starts, the duration at its end.
                        step.SetTag("sim.start_ns", 1_250L);
                        using (source.StartActivity("INumaNodeMigrationGrain/CopyPage", ActivityKind.Client))
                        {
                        }
                        step.SetTag("sim.duration_ns", 84_040L);
                    }
                    root.SetTag("sim.duration_ns", 90_000L);
                }
            }
        }

        var spans = TraceFile.Read(file.Path).Spans.ToDictionary(s => s.Name);
        var epoch = SpanRecord.ToUnixNano(SimulatedClockSpanProcessor.Epoch);
        (long, long) At(string name) => (spans[name].StartTimeUnixNano - epoch, spans[name].EndTimeUnixNano - epoch);
        Assert.Equal((0L, 90_000L), At("migrate_pages"));
        Assert.Equal((1_200L, 85_200L), At("copy_page")); // whole ticks of 100 ns, rounded down
        Assert.Equal((1_200L, 1_300L), At("INumaNodeMigrationGrain/CopyPage")); // at its step, one tick long
        Assert.Equal((0L, 90_000L), At("IMigrationCoordinatorGrain/MigratePages")); // covers the call under it
        Assert.Equal((0L, 90_000L), At("run"));
        Assert.Equal((0L, 100L), At("setup")); // no simulated time above or under it: the epoch
    }

    [Fact]
    public void The_host_clock_is_the_default()
    {
        Assert.Equal(TraceClock.Host, new TraceExportOptions().Clock);
        Assert.Equal(TraceClock.Host, TraceExportOptions.Parse("console").Clock);
    }
}
