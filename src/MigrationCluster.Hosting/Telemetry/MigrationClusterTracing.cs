using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The process's tracing from <see cref="TraceExportOptions"/>: OpenTelemetry's console exporter,
/// a file of OTLP/JSON lines and OTLP, with an always-on sampler. <see cref="Start"/> makes one
/// TracerProvider for a whole process (the command, which may host several silos); the silo
/// executable adds the same exporters through <c>AddOpenTelemetry().WithTracing(...)</c> with
/// <see cref="AddMigrationClusterExporters"/>. The OpenTelemetry SDK reads the standard
/// <c>OTEL_*</c> variables itself (endpoint, protocol, headers and timeout of OTLP; service name
/// and resource attributes); <see cref="OtlpEnvironmentValidator"/> only refuses values it would skip.
/// </summary>
public static class MigrationClusterTracing
{
    /// <summary>The OTLP protocol when <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> names none (the SDK's own default is gRPC).</summary>
    public const OtlpExportProtocol DefaultOtlpProtocol = OtlpExportProtocol.HttpProtobuf;

    /// <summary>
    /// Starts tracing the ActivitySources named in <paramref name="sources"/> (wildcards allowed).
    /// Returns null when <paramref name="options"/> names no exporter, so no listener is attached
    /// and spans cost nothing. <paramref name="reportUndelivered"/> receives, at the end, one line
    /// per OTLP exporter that could not deliver every span.
    /// </summary>
    public static TraceSession? Start(TraceExportOptions options, IEnumerable<string> sources, string serviceName, Action<string>? reportUndelivered = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var sourceNames = CheckNames(sources, nameof(sources));
        options.Validate();
        if (options.IsNone)
        {
            return null;
        }

        var deliveries = new List<OtlpDelivery>();
        var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(resource => resource.AddMigrationClusterResource(serviceName, options.ResourceAttributes))
            .AddSource(sourceNames)
            .AddMigrationClusterExporters(options, deliveries)
            .Build();
        return new TraceSession(provider, deliveries, reportUndelivered);
    }

    /// <summary>
    /// Adds the always-on sampler and the exporters <paramref name="options"/> names to a tracer
    /// provider builder (the process's own, or the one of <c>AddOpenTelemetry()</c> in a host).
    /// The OTLP exporters' delivery counts are added to <paramref name="deliveries"/> when given.
    /// </summary>
    public static TracerProviderBuilder AddMigrationClusterExporters(this TracerProviderBuilder builder, TraceExportOptions options, ICollection<OtlpDelivery>? deliveries = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // Check the environment before anything is opened, so a bad variable leaves no file behind.
        var otlp = options.Targets.Any(t => t.Kind == TraceExportKind.Otlp) ? CreateOtlpExporterOptions(options) : null;

        builder.SetSampler(options.TraceAccesses ? new AlwaysOnSampler() : new TaskAccessSampler());
        if (options.Clock == TraceClock.Simulated)
        {
            // First: every exporter after it sees the simulated timestamps.
            builder.AddProcessor(new SimulatedClockSpanProcessor());
        }
        foreach (var target in options.Targets)
        {
            switch (target.Kind)
            {
                case TraceExportKind.Console:
                    // OpenTelemetry's own console format (Activity.DisplayName:, Activity.Tags:, ...).
                    builder.AddConsoleExporter();
                    break;
                case TraceExportKind.JsonLines:
                    builder.AddProcessor(Batched(new OtlpJsonFileExporter(target.Path!), options.Batch));
                    break;
                case TraceExportKind.Otlp:
                    var exporter = new CountingOtlpTraceExporter(otlp!);
                    var batch = options.Batch ?? new BatchExportActivityProcessorOptions();
                    var processor = new CountingBatchActivityExportProcessor(
                        exporter, batch.MaxQueueSize, batch.ScheduledDelayMilliseconds, batch.ExporterTimeoutMilliseconds, batch.MaxExportBatchSize);
                    deliveries?.Add(new OtlpDelivery(otlp!, exporter, processor));
                    builder.AddProcessor(processor);
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
    public static MeterProvider? BuildMetrics(TraceExportOptions options, IEnumerable<string> meters, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var meterNames = CheckNames(meters, nameof(meters));
        options.Validate();
        if (!options.Targets.Any(t => t.Kind == TraceExportKind.Otlp))
        {
            return null;
        }

        var exporter = new OtlpMetricExporter(CreateOtlpExporterOptions(options));
        return Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddMigrationClusterResource(serviceName, options.ResourceAttributes))
            .AddMeter(meterNames)
            .AddReader(new PeriodicExportingMetricReader(exporter))
            .Build();
    }

    /// <summary>
    /// The resource of every span: <c>service.name</c> = <paramref name="serviceName"/> unless
    /// <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> name another (the SDK's
    /// environment detector reads both, from the provider's configuration), the SDK's own
    /// attributes, then <paramref name="attributes"/>. Replaces what the builder held.
    /// </summary>
    public static ResourceBuilder AddMigrationClusterResource(this ResourceBuilder resource, string serviceName, IReadOnlyDictionary<string, object>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return resource.Clear()
            .AddService(serviceName)
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector()
            .AddAttributes(attributes ?? new Dictionary<string, object>());
    }

    /// <summary>The SDK's OTLP options as it reads them from the environment, with our default protocol and the options' changes.</summary>
    private static OtlpExporterOptions CreateOtlpExporterOptions(TraceExportOptions options)
    {
        OtlpEnvironmentValidator.Validate(OtlpEnvironmentValidator.Process);

        // The SDK reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS and _TIMEOUT here.
        var exporterOptions = new OtlpExporterOptions();
        if (!OtlpEnvironmentValidator.NamesProtocol(OtlpEnvironmentValidator.Process))
        {
            // HTTP/protobuf needs no HTTP/2 server, and is the specification's default.
            exporterOptions.Protocol = DefaultOtlpProtocol;
        }

        options.ConfigureOtlp?.Invoke(exporterOptions);
        return exporterOptions;
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
