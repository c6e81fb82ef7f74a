using OpenTelemetry.Exporter;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Where the OTLP exporters send: protocol and endpoint. Built from the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables by <see cref="FromEnvironment"/>, or set directly (tests,
/// configuration files). <see cref="Endpoint"/> is a base address like
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: for HTTP/protobuf the signal path (<c>v1/traces</c>) is appended.
/// </summary>
public sealed class OtlpConnectionOptions
{
    /// <summary>The default protocol: HTTP/protobuf, since gRPC needs an HTTP/2 server.</summary>
    public const OtlpExportProtocol DefaultProtocol = OtlpExportProtocol.HttpProtobuf;

    public const string DefaultHttpProtobufEndpoint = "http://localhost:4318";
    public const string DefaultGrpcEndpoint = "http://localhost:4317";
    public const string TracesPath = "v1/traces";
    public const string MetricsPath = "v1/metrics";

    public const string GrpcProtocolName = "grpc";
    public const string HttpProtobufProtocolName = "http/protobuf";

    public OtlpExportProtocol Protocol { get; init; } = DefaultProtocol;

    /// <summary>Base address of the collector; null means the protocol's default (port 4318 or 4317).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Full address for traces, used as is (like <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>).</summary>
    public Uri? TracesEndpoint { get; init; }

    /// <summary>Full address for metrics, used as is (like <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>).</summary>
    public Uri? MetricsEndpoint { get; init; }

    /// <summary>Reads the standard variables through <paramref name="lookup"/> (a variable name to its value, or null).</summary>
    public static OtlpConnectionOptions FromEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var protocolText = NonEmpty(lookup(OtelEnvironment.OtlpTracesProtocol)) is { } tracesProtocol
            ? (OtelEnvironment.OtlpTracesProtocol, tracesProtocol)
            : (OtelEnvironment.OtlpProtocol, NonEmpty(lookup(OtelEnvironment.OtlpProtocol)));

        return new OtlpConnectionOptions
        {
            Protocol = protocolText.Item2 is null ? DefaultProtocol : ParseProtocol(protocolText.Item2, protocolText.Item1),
            Endpoint = ParseEndpoint(lookup, OtelEnvironment.OtlpEndpoint),
            TracesEndpoint = ParseEndpoint(lookup, OtelEnvironment.OtlpTracesEndpoint),
            MetricsEndpoint = ParseEndpoint(lookup, OtelEnvironment.OtlpMetricsEndpoint),
        };
    }

    /// <summary>Parses <c>grpc</c> or <c>http/protobuf</c>; <paramref name="source"/> names where the text came from.</summary>
    public static OtlpExportProtocol ParseProtocol(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            GrpcProtocolName => OtlpExportProtocol.Grpc,
            HttpProtobufProtocolName => OtlpExportProtocol.HttpProtobuf,
            _ => throw new TraceExportOptionException(
                $"Invalid {source} '{text}': expected {GrpcProtocolName} or {HttpProtobufProtocolName} (http/json is not supported).")
            {
                Value = text,
            },
        };
    }

    /// <summary>The address the trace exporter posts to.</summary>
    public Uri ResolveTracesEndpoint() => TracesEndpoint ?? WithSignalPath(TracesPath);

    /// <summary>The address the metric exporter posts to.</summary>
    public Uri ResolveMetricsEndpoint() => MetricsEndpoint ?? WithSignalPath(MetricsPath);

    public void Validate()
    {
        if (Protocol is not (OtlpExportProtocol.Grpc or OtlpExportProtocol.HttpProtobuf))
        {
            throw new TraceExportOptionException($"Unknown OTLP protocol {Protocol}.");
        }

        CheckAddress(Endpoint, nameof(Endpoint));
        CheckAddress(TracesEndpoint, nameof(TracesEndpoint));
        CheckAddress(MetricsEndpoint, nameof(MetricsEndpoint));
    }

    /// <summary>Options for the SDK's OTLP exporter of one signal.</summary>
    internal OtlpExporterOptions CreateExporterOptions(Uri signalEndpoint) => new()
    {
        Protocol = Protocol,

        // Set explicitly, so the exporter uses it as is and does not append a path itself.
        Endpoint = signalEndpoint,
    };

    private Uri WithSignalPath(string signalPath)
    {
        var baseAddress = Endpoint ?? new Uri(Protocol == OtlpExportProtocol.Grpc ? DefaultGrpcEndpoint : DefaultHttpProtobufEndpoint);

        // gRPC addresses the service by its method path, which the exporter adds itself.
        if (Protocol == OtlpExportProtocol.Grpc)
        {
            return baseAddress;
        }

        var text = baseAddress.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text + signalPath : text + "/" + signalPath);
    }

    private static Uri? ParseEndpoint(Func<string, string?> lookup, string variable)
    {
        if (NonEmpty(lookup(variable)) is not { } text)
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || !IsHttp(uri))
        {
            throw new TraceExportOptionException($"Invalid {variable} '{text}': expected an absolute http:// or https:// address.")
            {
                Value = text,
            };
        }

        return uri;
    }

    private static void CheckAddress(Uri? uri, string name)
    {
        if (uri is not null && (!uri.IsAbsoluteUri || !IsHttp(uri)))
        {
            throw new TraceExportOptionException($"OTLP {name} '{uri}' must be an absolute http:// or https:// address.");
        }
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
