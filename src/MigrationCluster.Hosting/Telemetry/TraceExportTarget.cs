namespace MigrationCluster.Hosting.Telemetry;

/// <summary>One destination named in the <c>--trace</c> value.</summary>
/// <param name="Kind">The exporter.</param>
/// <param name="Path">The file for <see cref="TraceExportKind.JsonLines"/>; null otherwise.</param>
public sealed record TraceExportTarget(TraceExportKind Kind, string? Path = null)
{
    /// <summary>The console target.</summary>
    public static TraceExportTarget Console { get; } = new(TraceExportKind.Console);

    /// <summary>The OTLP target.</summary>
    public static TraceExportTarget Otlp { get; } = new(TraceExportKind.Otlp);

    /// <summary>An OTLP/JSON lines file target.</summary>
    public static TraceExportTarget JsonLines(string path) => new(TraceExportKind.JsonLines, path);

    /// <summary>The form the <c>--trace</c> option accepts: <c>console</c>, <c>otlp</c>, <c>jsonl:PATH</c>.</summary>
    public override string ToString() => Kind switch
    {
        TraceExportKind.Console => TraceExportOptions.ConsoleToken,
        TraceExportKind.Otlp => TraceExportOptions.OtlpToken,
        _ => TraceExportOptions.JsonLinesPrefix + Path,
    };
}
