using System.Text.Json.Serialization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace MigrationCluster.Experiments;

/// <summary>Where a benchmark ran, so figures from different machines are not compared blindly.</summary>
public sealed record MachineInfo(
    [property: JsonPropertyName("processor_count")] int ProcessorCount,
    [property: JsonPropertyName("operating_system")] string OperatingSystem,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("framework")] string Framework,
    [property: JsonPropertyName("server_gc")] bool ServerGc,
    [property: JsonPropertyName("concurrent_gc")] bool ConcurrentGc,
    [property: JsonPropertyName("total_memory_bytes")] long TotalMemoryBytes,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt)
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
