using System.Diagnostics;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// Drives request/response calls for a fixed time: each caller awaits its targets one after
/// another, round robin. Every call's latency goes into the caller's preallocated ring of
/// <see cref="Stopwatch"/> ticks, so recording allocates nothing and keeps the latest calls.
/// </summary>
public static class CallLoadRunner
{
    /// <summary>Latency samples kept per caller (a power of two, for the ring's mask).</summary>
    public const int SamplesPerCaller = 1 << 16;

    /// <summary>
    /// Warms up for <paramref name="warmup"/>, then measures for <paramref name="duration"/>.
    /// <paramref name="callers"/>[i] is the list of targets caller i loops over.
    /// </summary>
    public static async Task<CaseResult> RunAsync(IReadOnlyList<Func<int, Task<int>>[]> callers, TimeSpan warmup, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(callers);
        // Start from a clean heap so one case's garbage is not collected on the next one's clock.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var samples = new long[callers.Count][];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = new long[SamplesPerCaller];
        }
        var now = Stopwatch.GetTimestamp();
        var measureStart = now + ToTicks(warmup);
        var measureEnd = measureStart + ToTicks(duration);
        var tasks = new Task<long>[callers.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            var targets = callers[i];
            var ring = samples[i];
            tasks[i] = Task.Run(() => CallerAsync(targets, measureStart, measureEnd, ring));
        }
        var counts = await Task.WhenAll(tasks).ConfigureAwait(false);
        // Callers stop after the first call that ends past measureEnd; the real window is up to the last one.
        var elapsed = Stopwatch.GetElapsedTime(measureStart).TotalSeconds;

        long calls = 0;
        var kept = new List<long>();
        for (var i = 0; i < counts.Length; i++)
        {
            calls += counts[i];
            kept.AddRange(samples[i].AsSpan(0, (int)Math.Min(counts[i], SamplesPerCaller)));
        }
        kept.Sort();
        return new CaseResult(calls / elapsed, Percentile(kept, 0.50), Percentile(kept, 0.99), calls);
    }

    private static async Task<long> CallerAsync(Func<int, Task<int>>[] targets, long measureStart, long measureEnd, long[] ring)
    {
        var next = 0;
        var value = 0;
        while (Stopwatch.GetTimestamp() < measureStart)
        {
            value = await targets[next](value).ConfigureAwait(false);
            next = next + 1 == targets.Length ? 0 : next + 1;
        }

        const int mask = SamplesPerCaller - 1;
        long calls = 0;
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            value = await targets[next](value).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            ring[calls & mask] = end - start;
            calls++;
            if (end >= measureEnd)
            {
                return calls;
            }
            next = next + 1 == targets.Length ? 0 : next + 1;
            start = end;
        }
    }

    private static double Percentile(List<long> sortedTicks, double quantile)
    {
        if (sortedTicks.Count == 0)
        {
            return 0;
        }
        var index = (int)Math.Ceiling(quantile * sortedTicks.Count) - 1;
        var ticks = sortedTicks[Math.Clamp(index, 0, sortedTicks.Count - 1)];
        return ticks * 1_000_000.0 / Stopwatch.Frequency;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>One measured case: throughput and latency percentiles in microseconds.</summary>
public sealed record CaseResult(double CallsPerSecond, double P50Microseconds, double P99Microseconds, long Calls);
