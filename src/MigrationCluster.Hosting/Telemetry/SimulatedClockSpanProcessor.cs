using System.Diagnostics;
using MigrationCluster.Grains.Migration;
using OpenTelemetry;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// <c>--trace-clock simulated</c>: moves each span, before any exporter sees it, to simulated time
/// from <see cref="Epoch"/>, so a collector draws the kernel's timeline. A span with
/// <c>sim.start_ns</c> (the protocol's) starts there and lasts <c>sim.duration_ns</c>; a span
/// without one covers the simulated spans under it, or else sits, with no duration, at the
/// simulated start of the nearest span above it that has one (a step's grain calls at the step);
/// a span with neither (the set-up before the migration, the workloads after it) sits at the
/// epoch. Timestamps are whole ticks (100 ns, the resolution of .NET's clock), rounded down (a
/// span of no duration lasts one tick, as .NET makes it); the attributes keep the exact
/// nanoseconds. Span events keep the host's timestamps.
/// </summary>
public sealed class SimulatedClockSpanProcessor : BaseProcessor<Activity>
{
    /// <summary>Simulated time 0: fixed, so two runs of one seed export the same timestamps.</summary>
    public static readonly DateTime Epoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly Lock _lock = new();
    private readonly Dictionary<ActivitySpanId, Activity> _live = [];
    private readonly Dictionary<ActivitySpanId, long> _startOf = [];
    private readonly Dictionary<ActivitySpanId, (long Start, long End)> _extentOf = [];

    public override void OnStart(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_lock)
        {
            // A span's simulated tags are set just after it starts, before anything starts under
            // it: the parent's are read now, from the parent itself while it runs (a step, for its
            // grain calls), else from what the parent inherited (a grain call, for its server side).
            _live[data.SpanId] = data;
            long? start = Own(data)?.Start;
            if (start is null && _live.TryGetValue(data.ParentSpanId, out var parent))
            {
                start = Own(parent)?.Start;
            }
            if (start is null && _startOf.TryGetValue(data.ParentSpanId, out var inherited))
            {
                start = inherited;
            }
            if (start is { } known)
            {
                _startOf[data.SpanId] = known;
            }
        }
    }

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        (long Start, long End)? at;
        lock (_lock)
        {
            _live.Remove(data.SpanId);
            var hasStart = _startOf.Remove(data.SpanId, out var inherited);
            var covers = _extentOf.Remove(data.SpanId, out var extent);
            at = Own(data) ?? (covers ? extent : null);
            if (at is { } simulated && data.ParentSpanId != default)
            {
                _extentOf[data.ParentSpanId] = _extentOf.TryGetValue(data.ParentSpanId, out var parent)
                    ? (Math.Min(parent.Start, simulated.Start), Math.Max(parent.End, simulated.End))
                    : simulated;
            }
            at ??= hasStart ? (inherited, inherited) : (0, 0);
        }
        var (start, end) = at.Value;
        data.SetStartTime(Epoch.AddTicks(start / TimeSpan.NanosecondsPerTick));
        data.SetEndTime(Epoch.AddTicks(end / TimeSpan.NanosecondsPerTick));
    }

    /// <summary>The span's own simulated start and end, when it carries them.</summary>
    private static (long Start, long End)? Own(Activity span) =>
        span.GetTagItem(MigrationTelemetry.Tags.SimStart) is long start
            ? (start, start + (span.GetTagItem(MigrationTelemetry.Tags.SimDuration) as long? ?? 0))
            : null;
}
