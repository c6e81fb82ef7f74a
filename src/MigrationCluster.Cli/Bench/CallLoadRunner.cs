using System.Diagnostics;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// Drives request/response calls for a fixed time: each caller awaits its targets one after
/// another, round robin. Every call's latency goes into the caller's preallocated ring of
/// <see cref="Stopwatch"/> ticks, so recording allocates nothing and keeps the latest calls.
/// Several cases are measured in interleaved rounds (A B C, C B A, ...), so that a machine whose
/// speed drifts during the run (shared, noisy hosts) slows every case alike instead of whichever
/// happened to run at the bad moment: their ratios are then comparable.
/// </summary>
public static class CallLoadRunner
{
    /// <summary>Latency samples kept per caller and slice (a power of two, for the ring's mask).</summary>
    public const int SamplesPerCaller = 1 << 16;

    /// <summary>Warm-up before each slice after a case's first, as a fraction of the full warm-up.</summary>
    private const double RewarmFraction = 0.2;

    /// <summary>
    /// Measures each case for <paramref name="duration"/> in total, split into
    /// <paramref name="rounds"/> slices interleaved with the other cases' slices. A case warms up
    /// for <paramref name="warmup"/> before its first slice and briefly before the others.
    /// Returns one result per case, in the order given.
    /// </summary>
    public static async Task<CaseResult[]> RunInterleavedAsync(IReadOnlyList<LoadCase> cases, TimeSpan warmup, TimeSpan duration, int rounds)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var slice = duration / rounds;
        var totals = cases.Select(_ => new Accumulator()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var step = 0; step < cases.Count; step++)
            {
                // Alternate the order, so no case always runs right after the same neighbour.
                var index = round % 2 == 0 ? step : cases.Count - 1 - step;
                var sliceWarmup = round == 0 ? warmup : warmup * RewarmFraction;
                using (cases[index].During?.Invoke())
                {
                    await MeasureAsync(cases[index].Callers, sliceWarmup, slice, totals[index]).ConfigureAwait(false);
                }
            }
        }
        return totals.Select(t => t.ToResult()).ToArray();
    }

    /// <summary>Warms up for <paramref name="warmup"/>, then measures one case for <paramref name="duration"/>.</summary>
    public static async Task<CaseResult> RunAsync(IReadOnlyList<Func<int, Task<int>>[]> callers, TimeSpan warmup, TimeSpan duration)
    {
        var results = await RunInterleavedAsync([new LoadCase(callers)], warmup, duration, rounds: 1).ConfigureAwait(false);
        return results[0];
    }

    private static async Task MeasureAsync(IReadOnlyList<Func<int, Task<int>>[]> callers, TimeSpan warmup, TimeSpan duration, Accumulator total)
    {
        ArgumentNullException.ThrowIfNull(callers);
        // Start from a clean heap so one slice's garbage is not collected on the next one's clock.
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
        total.Seconds += Stopwatch.GetElapsedTime(measureStart).TotalSeconds;
        for (var i = 0; i < counts.Length; i++)
        {
            total.Calls += counts[i];
            total.Samples.AddRange(samples[i].AsSpan(0, (int)Math.Min(counts[i], SamplesPerCaller)));
        }
    }

    /// <summary>A case's calls, measured time and latency samples over all its slices.</summary>
    private sealed class Accumulator
    {
        public long Calls { get; set; }

        public double Seconds { get; set; }

        public List<long> Samples { get; } = [];

        public CaseResult ToResult()
        {
            Samples.Sort();
            return new CaseResult(Seconds > 0 ? Calls / Seconds : 0, Percentile(Samples, 0.50), Percentile(Samples, 0.99), Calls);
        }
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

/// <summary>A case to measure: its callers (each a list of targets), and what must be in place while it runs (a trace listener, say).</summary>
public sealed record LoadCase(IReadOnlyList<Func<int, Task<int>>[]> Callers, Func<IDisposable?>? During = null);

/// <summary>One measured case: throughput and latency percentiles in microseconds.</summary>
public sealed record CaseResult(double CallsPerSecond, double P50Microseconds, double P99Microseconds, long Calls);
