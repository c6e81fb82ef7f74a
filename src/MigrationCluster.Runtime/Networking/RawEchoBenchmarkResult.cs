namespace MigrationCluster.Runtime.Networking;

/// <summary>One measured load: how many callers, how many calls completed, throughput and latency percentiles.</summary>
public sealed record RawEchoBenchmarkResult(int Callers, long Calls, TimeSpan Duration, double CallsPerSecond, double P50Microseconds, double P99Microseconds)
{
    public override string ToString() =>
        $"{Callers} caller(s): {Calls} calls in {Duration.TotalSeconds:F1} s = {CallsPerSecond:F0} calls/s, p50 {P50Microseconds:F1} us, p99 {P99Microseconds:F1} us";
}
