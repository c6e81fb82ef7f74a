namespace MigrationCluster.Hosting.Telemetry;

/// <summary>A span event (e.g. <c>set_migration_pte</c>) as read from a trace file.</summary>
public sealed record SpanEventRecord(
    string Name,
    long TimeUnixNano,
    IReadOnlyList<KeyValuePair<string, object?>> Attributes);
