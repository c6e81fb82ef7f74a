using System.Diagnostics;
using OpenTelemetry;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The SDK's batch processor, counting the spans it was given: what its exporter did not deliver
/// in the end, this count tells (the processor's own count of spans dropped from a full queue is
/// not public).
/// </summary>
internal sealed class CountingBatchActivityExportProcessor(
    BaseExporter<Activity> exporter,
    int maxQueueSize,
    int scheduledDelayMilliseconds,
    int exporterTimeoutMilliseconds,
    int maxExportBatchSize)
    : BatchActivityExportProcessor(exporter, maxQueueSize, scheduledDelayMilliseconds, exporterTimeoutMilliseconds, maxExportBatchSize)
{
    private long receivedSpans;

    /// <summary>Recorded spans handed to the processor.</summary>
    public long ReceivedSpans => Interlocked.Read(ref receivedSpans);

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Recorded)
        {
            Interlocked.Increment(ref receivedSpans);
        }

        base.OnEnd(data);
    }
}
