using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// What became of the spans one OTLP exporter was given: those it could not deliver (failed
/// exports) and those its batch processor dropped because its queue was full. Read it after the
/// session has ended (<see cref="TraceSession.Dispose"/>), when nothing is queued any more.
/// </summary>
public sealed class OtlpDelivery
{
    private readonly CountingOtlpTraceExporter exporter;
    private readonly CountingBatchActivityExportProcessor processor;

    internal OtlpDelivery(OtlpExporterOptions options, CountingOtlpTraceExporter exporter, CountingBatchActivityExportProcessor processor)
    {
        Endpoint = options.Endpoint;
        Protocol = options.Protocol;
        this.exporter = exporter;
        this.processor = processor;
    }

    /// <summary>Where the exporter sends (the SDK adds <c>v1/traces</c> to an HTTP endpoint taken from the environment).</summary>
    public Uri Endpoint { get; }

    public OtlpExportProtocol Protocol { get; }

    /// <summary>Spans of exports that failed.</summary>
    public long FailedSpans => exporter.FailedSpans;

    /// <summary>Spans the exporter was given, delivered or not.</summary>
    public long ReceivedSpans => processor.ReceivedSpans;

    /// <summary>
    /// Spans that did not reach the collector: the failed exports' spans, and once the session
    /// has ended, those dropped from a full queue too (before the end, spans still queued count).
    /// </summary>
    public long UndeliveredSpans => Math.Max(FailedSpans, ReceivedSpans - exporter.DeliveredSpans);

    /// <summary>Spans that never reached the exporter (the queue was full); exact once the session has ended.</summary>
    public long DroppedSpans => UndeliveredSpans - FailedSpans;

    /// <summary>One line saying how many spans did not arrive and where they were going; null when all arrived.</summary>
    public string? Describe()
    {
        if (UndeliveredSpans == 0)
        {
            return null;
        }

        var protocol = Protocol == OtlpExportProtocol.Grpc ? OtlpEnvironmentValidator.GrpcProtocol : OtlpEnvironmentValidator.HttpProtobufProtocol;
        var dropped = DroppedSpans > 0
            ? string.Create(CultureInfo.InvariantCulture, $" ({DroppedSpans:N0} dropped from a full queue)")
            : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"otlp: {UndeliveredSpans:N0} of {ReceivedSpans:N0} spans could not be delivered to {Endpoint} ({protocol}){dropped}; is a collector listening there ({OtlpEnvironmentValidator.EndpointVariable})?");
    }
}
