namespace MigrationCluster.Hosting.Telemetry;

/// <summary>Where finished spans go.</summary>
public enum TraceExportKind
{
    /// <summary>The project's own console exporter: one tree per trace.</summary>
    Console,

    /// <summary>OTLP to a collector (HTTP/protobuf or gRPC).</summary>
    Otlp,

    /// <summary>A JSON-lines file that <c>migration-cluster trace show</c> reads back.</summary>
    JsonLines,
}
