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
    long TotalMemoryBytes,
    DateTimeOffset StartedAt)
{
    public static MachineInfo Capture() =>
        new(
            Environment.ProcessorCount,
            RuntimeInformation.OSDescription,
            RuntimeInformation.ProcessArchitecture.ToString(),
            RuntimeInformation.FrameworkDescription,
            GCSettings.IsServerGC,
            GCSettings.LatencyMode != GCLatencyMode.Batch,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            DateTimeOffset.UtcNow);
}
