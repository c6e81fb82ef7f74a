namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The standard OpenTelemetry environment variables this project honours, read through a lookup
/// delegate so that tests need not touch the process environment (which other tests share).
/// </summary>
public static class OtelEnvironment
{
    public const string ServiceName = "OTEL_SERVICE_NAME";
    public const string ResourceAttributes = "OTEL_RESOURCE_ATTRIBUTES";
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string OtlpTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public const string OtlpMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public const string OtlpProtocol = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string OtlpTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";

    public const string ServiceNameAttribute = "service.name";

    /// <summary>The process environment as a lookup.</summary>
    public static Func<string, string?> Process { get; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// The service name: <c>OTEL_SERVICE_NAME</c>, else <c>service.name</c> in
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>, else <paramref name="defaultName"/>.
    /// </summary>
    public static string ResolveServiceName(string defaultName, Func<string, string?> lookup)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultName);
        ArgumentNullException.ThrowIfNull(lookup);
        if (lookup(ServiceName) is { } name && !string.IsNullOrWhiteSpace(name))
        {
            return name.Trim();
        }

        return ParseResourceAttributes(lookup(ResourceAttributes)).TryGetValue(ServiceNameAttribute, out var fromAttributes)
            ? fromAttributes
            : defaultName;
    }

    /// <summary>
    /// Parses <c>key1=value1,key2=value2</c> (values percent-encoded, per the specification).
    /// Items without '=' or with an empty key are ignored, as the specification asks.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseResourceAttributes(string? text)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return attributes;
        }

        foreach (var item in text.Split(','))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = item[..equals].Trim();
            if (key.Length == 0)
            {
                continue;
            }

            attributes[key] = Uri.UnescapeDataString(item[(equals + 1)..].Trim());
        }

        return attributes;
    }
}
