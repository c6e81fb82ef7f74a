using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Which trace exporters run, parsed from the CLI's <c>--trace</c> value:
/// <c>none</c>, <c>console</c>, <c>otlp</c>, <c>jsonl:PATH</c>, or several joined by commas
/// (e.g. <c>console,jsonl:trace.jsonl</c>).
/// </summary>
public sealed class TraceExportOptions
{
    public const string NoneToken = "none";
    public const string ConsoleToken = "console";
    public const string OtlpToken = "otlp";
    public const string JsonLinesPrefix = "jsonl:";
    public const char Separator = ',';

    /// <summary>The default <c>--trace</c> value.</summary>
    public const string DefaultValue = NoneToken;

    /// <summary>Shown in every parse error so the user sees what would have worked.</summary>
    public const string AcceptedForms =
        "expected none, console, otlp or jsonl:PATH (several may be joined with commas, e.g. console,jsonl:trace.jsonl)";

    /// <summary>The exporters to run; empty means tracing is off.</summary>
    public IReadOnlyList<TraceExportTarget> Targets { get; init; } = [];

    /// <summary>
    /// Changes to the OTLP exporter's options after the SDK has read them from the standard
    /// <c>OTEL_EXPORTER_OTLP_*</c> variables (a program that embeds the cluster, or a test, can
    /// point it at its own collector); null leaves them as the environment says.
    /// </summary>
    public Action<OtlpExporterOptions>? ConfigureOtlp { get; init; }

    /// <summary>The clock of the exported timestamps: the host's (default) or simulated time (<see cref="SimulatedClockSpanProcessor"/>).</summary>
    public TraceClock Clock { get; init; } = TraceClock.Host;

    /// <summary>Also record the grain calls tasks make per access (off: <see cref="TaskAccessSampler"/> drops them).</summary>
    public bool TraceAccesses { get; init; }

    /// <summary>
    /// Batching of the OTLP and jsonl exporters; null means the SDK's defaults and the standard
    /// <c>OTEL_BSP_*</c> variables (5 s delay, 512 spans a batch, 2048 queued).
    /// </summary>
    public BatchExportActivityProcessorOptions? Batch { get; init; }

    /// <summary>Extra resource attributes (e.g. <c>service.instance.id</c>) added to every span's resource.</summary>
    public IReadOnlyDictionary<string, object> ResourceAttributes { get; init; } = new Dictionary<string, object>();

    /// <summary>True when no exporter is configured.</summary>
    public bool IsNone => Targets.Count == 0;

    /// <summary>No tracing.</summary>
    public static TraceExportOptions None { get; } = new();

    /// <summary>Parses a <c>--trace</c> value; throws <see cref="TraceExportOptionException"/> with a one-line message.</summary>
    public static TraceExportOptions Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid(value ?? string.Empty, "the value is empty");
        }

        var targets = new List<TraceExportTarget>();
        var sawNone = false;
        foreach (var rawItem in value.Split(Separator))
        {
            var item = rawItem.Trim();
            if (item.Length == 0)
            {
                throw Invalid(value, "an item between commas is empty");
            }

            TraceExportTarget target;
            if (item.Equals(NoneToken, StringComparison.OrdinalIgnoreCase))
            {
                sawNone = true;
                continue;
            }
            else if (item.Equals(ConsoleToken, StringComparison.OrdinalIgnoreCase))
            {
                target = TraceExportTarget.Console;
            }
            else if (item.Equals(OtlpToken, StringComparison.OrdinalIgnoreCase))
            {
                target = TraceExportTarget.Otlp;
            }
            else if (item.StartsWith(JsonLinesPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var path = item[JsonLinesPrefix.Length..].Trim();
                if (path.Length == 0)
                {
                    throw Invalid(item, "jsonl needs a file path after the colon");
                }

                target = TraceExportTarget.JsonLines(path);
            }
            else
            {
                throw Invalid(item, null);
            }

            if (targets.Contains(target))
            {
                throw Invalid(item, "it is listed twice");
            }

            targets.Add(target);
        }

        if (sawNone && targets.Count > 0)
        {
            throw Invalid(value, "none cannot be combined with other exporters");
        }

        return new TraceExportOptions { Targets = targets };
    }

    /// <summary>Checks the options; throws <see cref="TraceExportOptionException"/> naming the problem.</summary>
    public void Validate()
    {
        if (Targets is null)
        {
            throw new TraceExportOptionException("Trace export targets must not be null.");
        }

        foreach (var target in Targets)
        {
            if (target is null)
            {
                throw new TraceExportOptionException("Trace export targets must not contain null.");
            }

            if (target.Kind == TraceExportKind.JsonLines && string.IsNullOrWhiteSpace(target.Path))
            {
                throw new TraceExportOptionException("A jsonl trace target needs a file path (jsonl:PATH).");
            }

            if (target.Kind != TraceExportKind.JsonLines && target.Path is not null)
            {
                throw new TraceExportOptionException($"The {target.Kind} trace target takes no path.");
            }
        }

        if (Targets.Distinct().Count() != Targets.Count)
        {
            throw new TraceExportOptionException("A trace export target is listed twice.");
        }

        ArgumentNullException.ThrowIfNull(ResourceAttributes);
        if (Batch is { } batch
            && (batch.MaxQueueSize < 1 || batch.ScheduledDelayMilliseconds < 1 || batch.ExporterTimeoutMilliseconds < 0
                || batch.MaxExportBatchSize < 1 || batch.MaxExportBatchSize > batch.MaxQueueSize))
        {
            throw new TraceExportOptionException(
                "Trace batch options need a positive queue size, delay and batch size, a batch no larger than the queue, and a timeout of 0 or more.");
        }
    }

    /// <summary>The canonical <c>--trace</c> form of these targets.</summary>
    public override string ToString() =>
        IsNone ? NoneToken : string.Join(Separator, Targets.Select(t => t.ToString()));

    private static TraceExportOptionException Invalid(string value, string? reason) =>
        new(reason is null
            ? $"Invalid --trace value '{value}': {AcceptedForms}."
            : $"Invalid --trace value '{value}': {reason}; {AcceptedForms}.")
        {
            Value = value,
        };
}
