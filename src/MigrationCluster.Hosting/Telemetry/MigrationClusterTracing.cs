using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The process's tracing from <see cref="TraceExportOptions"/>: OpenTelemetry's console exporter,
/// a JSON-lines file and OTLP, with an always-on sampler. <see cref="Build"/> makes one
/// TracerProvider for a whole process (the command, which may host several silos); the silo
/// executable adds the same exporters through <c>AddOpenTelemetry().WithTracing(...)</c> with
/// <see cref="AddMigrationClusterExporters"/>. Disposing the provider flushes every exporter.
/// </summary>
public static class MigrationClusterTracing
{
    /// <summary>
    /// Starts tracing the ActivitySources named in <paramref name="sources"/> (wildcards allowed).
    /// Returns null when <paramref name="options"/> names no exporter, so no listener is attached
    /// and spans cost nothing. The standard <c>OTEL_*</c> variables come from the process environment.
    /// </summary>
    public static TracerProvider? Build(TraceExportOptions options, IEnumerable<string> sources, string serviceName) =>
        Build(options, sources, serviceName, OtelEnvironment.Process);

    /// <summary>As <see cref="Build(TraceExportOptions, IEnumerable{string}, string)"/>, reading <c>OTEL_*</c> through <paramref name="environment"/>.</summary>
    public static TracerProvider? Build(
        TraceExportOptions options,
        IEnumerable<string> sources,
        string serviceName,
        Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var sourceNames = CheckNames(sources, nameof(sources));
        options.Validate();
        if (options.IsNone)
        {
            return null;
        }

        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(CreateResource(options, serviceName, environment))
            .AddSource(sourceNames);
        return builder.AddMigrationClusterExporters(options, environment).Build();
    }

    /// <summary>
    /// Adds the always-on sampler and the exporters <paramref name="options"/> names to a tracer
    /// provider builder (the process's own, or the one of <c>AddOpenTelemetry()</c> in a host).
    /// </summary>
    public static TracerProviderBuilder AddMigrationClusterExporters(this TracerProviderBuilder builder, TraceExportOptions options, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        environment ??= OtelEnvironment.Process;
        options.Validate();

        // Read the environment before anything is opened, so a bad variable leaves no file behind.
        var otlp = options.Targets.Any(t => t.Kind == TraceExportKind.Otlp)
            ? options.Otlp ?? OtlpConnectionOptions.FromEnvironment(environment)
            : null;
        otlp?.Validate();

        builder.SetSampler(options.TraceAccesses ? new AlwaysOnSampler() : new TaskAccessSampler());
        foreach (var target in options.Targets)
        {
            switch (target.Kind)
            {
                case TraceExportKind.Console:
                    // OpenTelemetry's own console format (Activity.DisplayName:, Activity.Tags:, ...).
                    builder.AddConsoleExporter();
                    break;
                case TraceExportKind.JsonLines:
                    builder.AddProcessor(Batched(new JsonLinesSpanExporter(target.Path!), options.Batch));
                    break;
                case TraceExportKind.Otlp:
                    var exporter = new OtlpTraceExporter(otlp!.CreateExporterOptions(otlp.ResolveTracesEndpoint()));
                    builder.AddProcessor(Batched(exporter, options.Batch));
                    break;
                default:
                    throw new TraceExportOptionException($"Unknown trace export target {target.Kind}.");
            }
        }
        return builder;
    }

    /// <summary>
    /// Exports the meters named in <paramref name="meters"/> over OTLP when <paramref name="options"/>
    /// includes <c>otlp</c>; returns null otherwise (console and jsonl carry traces only).
    /// </summary>
    public static MeterProvider? BuildMetrics(
        TraceExportOptions options,
        IEnumerable<string> meters,
        string serviceName,
        Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meterNames = CheckNames(meters, nameof(meters));
        environment ??= OtelEnvironment.Process;
        options.Validate();
        if (!options.Targets.Any(t => t.Kind == TraceExportKind.Otlp))
        {
            return null;
        }

        var otlp = options.Otlp ?? OtlpConnectionOptions.FromEnvironment(environment);
        otlp.Validate();
        var exporter = new OtlpMetricExporter(otlp.CreateExporterOptions(otlp.ResolveMetricsEndpoint()));
        return Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(CreateResource(options, serviceName, environment))
            .AddMeter(meterNames)
            .AddReader(new PeriodicExportingMetricReader(exporter))
            .Build();
    }

    /// <summary>
    /// service.name (from <c>OTEL_SERVICE_NAME</c>, else <c>OTEL_RESOURCE_ATTRIBUTES</c>, else
    /// <paramref name="serviceName"/>), the SDK's own attributes, <c>OTEL_RESOURCE_ATTRIBUTES</c> and
    /// the options' attributes, later ones winning.
    /// </summary>
    public static ResourceBuilder CreateResource(TraceExportOptions options, string serviceName, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var resolvedName = OtelEnvironment.ResolveServiceName(serviceName, environment);
        var fromEnvironment = OtelEnvironment.ParseResourceAttributes(environment(OtelEnvironment.ResourceAttributes))
            .Where(pair => pair.Key != OtelEnvironment.ServiceNameAttribute)
            .Select(pair => new KeyValuePair<string, object>(pair.Key, pair.Value));
        return ResourceBuilder.CreateEmpty()
            .AddService(resolvedName)
            .AddTelemetrySdk()
            .AddAttributes(fromEnvironment)
            .AddAttributes(options.ResourceAttributes);
    }

    private static BatchActivityExportProcessor Batched(BaseExporter<System.Diagnostics.Activity> exporter, BatchExportActivityProcessorOptions? batch)
    {
        // A fresh options object reads the OTEL_BSP_* variables.
        batch ??= new BatchExportActivityProcessorOptions();
        return new BatchActivityExportProcessor(
            exporter, batch.MaxQueueSize, batch.ScheduledDelayMilliseconds, batch.ExporterTimeoutMilliseconds, batch.MaxExportBatchSize);
    }

    private static string[] CheckNames(IEnumerable<string> names, string parameter)
    {
        ArgumentNullException.ThrowIfNull(names, parameter);
        var array = names.ToArray();
        if (array.Length == 0 || array.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Give at least one name, and no empty names.", parameter);
        }

        return array;
    }
}
