namespace MigrationCluster.Hosting.Telemetry;

/// <summary>Where finished spans go.</summary>
public enum TraceExportKind
{
    /// <summary>The project's own console exporter: one tree per trace.</summary>
    Console,

    /// <summary>OTLP to a collector (HTTP/protobuf or gRPC).</summary>
    Otlp,

    /// <summary>A file of OTLP/JSON lines (one ExportTraceServiceRequest per line) that any collector can replay and <c>migration-cluster trace show</c> draws.</summary>
    JsonLines,
}
