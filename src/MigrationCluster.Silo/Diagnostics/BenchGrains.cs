using System.Diagnostics;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Placement;
using Microsoft.Extensions.Options;

namespace MigrationCluster.Silo.Diagnostics;

/// <summary>The target of <c>bench transport</c>: key k lives on the (k mod N)-th silo, so keys of one parity share a silo in a 2-silo cluster.</summary>
public interface IBenchEchoGrain : IGrainWithIntegerKey
{
    Task<int> Echo(int value);

    Task<string> SiloName();
}

[Placement(PlacementStrategyNames.NumaNode)]
public sealed class BenchEchoGrain(IOptions<SiloOptions> silo) : Grain, IBenchEchoGrain
{
    public Task<int> Echo(int value) => Task.FromResult(value);

    public Task<string> SiloName() => Task.FromResult(silo.Value.SiloName);
}

/// <summary>Load measured inside a silo: calls/s and latency percentiles (microseconds).</summary>
public sealed class BenchLoadResult
{
    public int Callers { get; set; }

    public long Calls { get; set; }

    public double Seconds { get; set; }

    public double CallsPerSecond { get; set; }

    public double P50Microseconds { get; set; }

    public double P99Microseconds { get; set; }
}

/// <summary>Runs on the silo it is called through (prefer-local) and calls echo grains on the other silo.</summary>
public interface IBenchDriverGrain : IGrainWithIntegerKey
{
    Task<BenchLoadResult> Run(int callers, double seconds, double warmupSeconds);
}

[Placement(PlacementStrategyNames.PreferLocal)]
public sealed class BenchDriverGrain(IOptions<SiloOptions> silo) : Grain, IBenchDriverGrain
{
    public async Task<BenchLoadResult> Run(int callers, double seconds, double warmupSeconds)
    {
        var factory = GrainFactory;
        var own = silo.Value.SiloName;
        // Find the parity of keys that live on another silo (NUMA placement: key mod silo count).
        // Placement is sticky, so a view that did not have the second silo yet is retried with fresh keys.
        long first = -1;
        for (var attempt = 0; attempt < 20 && first < 0; attempt++)
        {
            var baseKey = Random.Shared.NextInt64(1, 1L << 40) * 1024;
            for (var key = baseKey; key < baseKey + 4 && first < 0; key++)
            {
                if (await factory.GetGrain<IBenchEchoGrain>(key).SiloName() != own)
                {
                    first = key;
                }
            }
            if (first < 0)
            {
                await Task.Delay(500);
            }
        }
        if (first < 0)
        {
            throw new InvalidOperationException($"No echo grain landed outside silo {own}: is there a second silo?");
        }
        // Off the activation's context: the callers run on the thread pool, as a client's would.
        return await Task.Run(async () =>
        {
            var targets = Enumerable.Range(0, callers).Select(i => factory.GetGrain<IBenchEchoGrain>(first + (2L * i))).ToArray();
            foreach (var target in targets)
            {
                await target.SiloName().ConfigureAwait(false);
            }
            await RunCallersAsync(targets, TimeSpan.FromSeconds(warmupSeconds)).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var latencies = await RunCallersAsync(targets, TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var all = latencies.SelectMany(l => l).ToArray();
            Array.Sort(all);
            return new BenchLoadResult
            {
                Callers = callers,
                Calls = all.Length,
                Seconds = elapsed,
                CallsPerSecond = all.Length / elapsed,
                P50Microseconds = Percentile(all, 0.50),
                P99Microseconds = Percentile(all, 0.99),
            };
        }).ConfigureAwait(true);
    }

    private static async Task<List<long>[]> RunCallersAsync(IBenchEchoGrain[] targets, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = targets.Select((target, caller) => Task.Run(async () =>
        {
            var latencies = new List<long>(1 << 16);
            for (var call = 0; Stopwatch.GetTimestamp() < deadline; call++)
            {
                var value = (caller << 20) ^ call;
                var start = Stopwatch.GetTimestamp();
                var echoed = await target.Echo(value).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetTimestamp() - start);
                if (echoed != value)
                {
                    throw new InvalidOperationException($"Caller {caller} call {call} got {echoed} back instead of {value}.");
                }
            }
            return latencies;
        }));
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static double Percentile(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var index = (int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1);
        return sorted[Math.Max(0, index)] * 1_000_000.0 / Stopwatch.Frequency;
    }
}
