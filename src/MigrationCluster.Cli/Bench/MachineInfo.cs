using System.Runtime;
using System.Runtime.InteropServices;

namespace MigrationCluster.Cli.Bench;

/// <summary>Where a benchmark ran, so figures from different machines are not compared blindly.</summary>
public sealed record MachineInfo(
    int ProcessorCount,
    string OperatingSystem,
    string Architecture,
    string Framework,
    bool ServerGc,
    bool ConcurrentGc,
    double DurationSecondsPerCase,
    double WarmupSecondsPerCase,
    int RoundsPerCase,
    DateTimeOffset StartedAt)
{
    public static MachineInfo Capture(RuntimeBenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new MachineInfo(
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString(),
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC,
            GCSettings.LatencyMode != GCLatencyMode.Batch,
            options.Duration.TotalSeconds,
            options.Warmup.TotalSeconds,
            options.Rounds,
            DateTimeOffset.UtcNow);
    }
}
