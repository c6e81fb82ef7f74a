using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Records every span but the grain calls a task makes for one access (a load or store, its
/// faults, the file-size check of a fault on another process's file, and sleeps on page locks):
/// a run makes tens of thousands of them and they bury the migration's steps. <c>--trace-accesses</c> records them too (<see cref="TraceExportOptions.TraceAccesses"/>).
/// Orleans names a grain call's span <c>Interface/Method</c>; the method decides.
/// </summary>
public sealed class TaskAccessSampler : Sampler
{
    /// <summary>The grain methods a task calls per access.</summary>
    public static readonly IReadOnlySet<string> AccessMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "Access", "FaultAnonPage", "AllocatePageCachePage", "LockAndMapPageCachePage", "UnlockFaultedPage",
        "FindOrCreatePageCachePage", "WaitOnPageLocked", "SleepOnPageLock", "FileSize",
    };

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var name = samplingParameters.Name;
        var slash = name?.LastIndexOf('/') ?? -1;
        return slash >= 0 && AccessMethods.Contains(name![(slash + 1)..])
            ? new SamplingResult(SamplingDecision.Drop)
            : new SamplingResult(SamplingDecision.RecordAndSample);
    }
}
