using System.Diagnostics;
using System.Net;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// Drives a <see cref="RawEchoServer"/> (in this process or another) with N concurrent callers,
/// each calling in a loop, and measures calls per second and latency percentiles. Every reply is
/// checked against what was sent: a wrong or lost reply is an error, not a data point.
/// </summary>
public static class RawEchoBenchmark
{
    public const int DefaultPayloadSize = 32;

    public static async Task<RawEchoBenchmarkResult> MeasureAsync(
        IPEndPoint server, int callers, TimeSpan duration, TimeSpan warmup, int payloadSize = DefaultPayloadSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentOutOfRangeException.ThrowIfLessThan(callers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(payloadSize, 1);
        await using var client = await RawEchoClient.ConnectAsync(server, cancellationToken).ConfigureAwait(false);

        await RunCallersAsync(client, callers, warmup, payloadSize, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var latencies = await RunCallersAsync(client, callers, duration, payloadSize, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new RawEchoBenchmarkResult(
            callers,
            all.Length,
            elapsed,
            all.Length / elapsed.TotalSeconds,
            Percentile(all, 0.50),
            Percentile(all, 0.99));
    }

    private static async Task<List<long>[]> RunCallersAsync(RawEchoClient client, int callers, TimeSpan duration, int payloadSize, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var payload = new byte[payloadSize];
            var latencies = new List<long>(1 << 16);
            for (var call = 0; Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; call++)
            {
                // Each call's payload differs, so a reply routed to the wrong caller is caught.
                BitConverter.TryWriteBytes(payload, caller);
                BitConverter.TryWriteBytes(payload.AsSpan(sizeof(int)), call);
                var start = Stopwatch.GetTimestamp();
                var reply = await client.CallAsync(payload).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetTimestamp() - start);
                if (!reply.AsSpan().SequenceEqual(payload))
                {
                    throw new InvalidOperationException($"Caller {caller} call {call} got another payload back.");
                }
            }

            return latencies;
        }, cancellationToken));
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static double Percentile(long[] sortedTicks, double quantile)
    {
        if (sortedTicks.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Min(sortedTicks.Length - 1, Math.Ceiling(quantile * sortedTicks.Length) - 1);
        return sortedTicks[Math.Max(0, index)] * 1_000_000.0 / Stopwatch.Frequency;
    }
}
