namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Checks, before any exporter starts, the two <c>OTEL_EXPORTER_OTLP_*</c> variables whose bad
/// values the SDK would pass over in silence. The SDK reads them itself (<c>OtlpExporterOptions</c>),
/// but a value it cannot use is skipped with only a self-diagnostics event, and every span then
/// goes to the default address or over the default protocol. Here such a value is the user's
/// mistake: one line naming the variable. Nothing else is read here.
/// </summary>
public static class OtlpEnvironmentValidator
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The protocol names the SDK accepts (after trimming; case matters).</summary>
    public const string GrpcProtocol = "grpc";
    public const string HttpProtobufProtocol = "http/protobuf";

    /// <summary>The process environment as a lookup.</summary>
    public static Func<string, string?> Process { get; } = Environment.GetEnvironmentVariable;

    /// <summary>Throws <see cref="TraceExportOptionException"/> naming the first variable with a value the SDK cannot use.</summary>
    public static void Validate(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        if (Set(lookup, ProtocolVariable) is { } protocol && protocol.Trim() is not (GrpcProtocol or HttpProtobufProtocol))
        {
            throw new TraceExportOptionException(
                $"{ProtocolVariable} is '{protocol}': expected {GrpcProtocol} or {HttpProtobufProtocol} (http/json is not supported)")
            {
                Value = protocol,
            };
        }

        if (Set(lookup, EndpointVariable) is { } endpoint
            && !(Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            throw new TraceExportOptionException(
                $"{EndpointVariable} is '{endpoint}': expected an absolute http:// or https:// address, e.g. http://localhost:4318")
            {
                Value = endpoint,
            };
        }
    }

    /// <summary>Whether <see cref="ProtocolVariable"/> names a protocol (else the project's default, HTTP/protobuf, applies).</summary>
    public static bool NamesProtocol(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return Set(lookup, ProtocolVariable) is not null;
    }

    private static string? Set(Func<string, string?> lookup, string variable) =>
        lookup(variable) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}
