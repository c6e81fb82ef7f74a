using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The SDK's OTLP trace exporter, counting the spans of every export that did not succeed (the
/// collector refused them, or could not be reached before the exporter's timeout). A subclass
/// rather than a wrapper: the SDK gives the resource only to the exporter its processor holds.
/// </summary>
internal sealed class CountingOtlpTraceExporter(OtlpExporterOptions options) : OtlpTraceExporter(options)
{
    private long failedSpans;
    private long deliveredSpans;

    /// <summary>Spans of exports that failed.</summary>
    public long FailedSpans => Interlocked.Read(ref failedSpans);

    /// <summary>Spans of exports that succeeded.</summary>
    public long DeliveredSpans => Interlocked.Read(ref deliveredSpans);

    public override ExportResult Export(in Batch<Activity> activityBatch)
    {
        var count = activityBatch.Count;
        var result = base.Export(activityBatch);
        Interlocked.Add(ref result == ExportResult.Success ? ref deliveredSpans : ref failedSpans, count);

        return result;
    }
}
