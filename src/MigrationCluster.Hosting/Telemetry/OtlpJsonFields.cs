using System.Diagnostics;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The names and enumeration numbers of OTLP's JSON encoding of an <c>ExportTraceServiceRequest</c>
/// (opentelemetry-proto's trace and common messages under the protobuf JSON mapping, with OTLP's
/// own rules: lowerCamelCase field names, trace and span ids as hex, enumerations as integers,
/// 64-bit integers as decimal strings). Shared by <see cref="OtlpJsonFileExporter"/> and
/// <see cref="OtlpJsonTraceReader"/>.
/// </summary>
public static class OtlpJsonFields
{
    public const string ResourceSpans = "resourceSpans";
    public const string Resource = "resource";
    public const string ScopeSpans = "scopeSpans";
    public const string Scope = "scope";
    public const string Spans = "spans";
    public const string SchemaUrl = "schemaUrl";

    public const string TraceId = "traceId";
    public const string SpanId = "spanId";
    public const string TraceState = "traceState";
    public const string ParentSpanId = "parentSpanId";
    public const string Flags = "flags";
    public const string Name = "name";
    public const string Version = "version";
    public const string Kind = "kind";
    public const string StartTimeUnixNano = "startTimeUnixNano";
    public const string EndTimeUnixNano = "endTimeUnixNano";
    public const string Attributes = "attributes";
    public const string Events = "events";
    public const string TimeUnixNano = "timeUnixNano";
    public const string Links = "links";
    public const string Status = "status";
    public const string Code = "code";
    public const string Message = "message";

    public const string Key = "key";
    public const string Value = "value";
    public const string Values = "values";
    public const string StringValue = "stringValue";
    public const string BoolValue = "boolValue";
    public const string IntValue = "intValue";
    public const string DoubleValue = "doubleValue";
    public const string ArrayValue = "arrayValue";
    public const string KeyValueListValue = "kvlistValue";
    public const string BytesValue = "bytesValue";

    /// <summary>Span.flags: bit 8 says whether bit 9 (the parent is remote) is known.</summary>
    public const uint FlagsHasIsRemote = 0x100;

    /// <summary>Span.flags: the parent span came from another process.</summary>
    public const uint FlagsIsRemote = 0x200;

    /// <summary>Span.SpanKind's number (SPAN_KIND_INTERNAL = 1 ... SPAN_KIND_CONSUMER = 5).</summary>
    public static int KindNumber(ActivityKind kind) => kind switch
    {
        ActivityKind.Server => 2,
        ActivityKind.Client => 3,
        ActivityKind.Producer => 4,
        ActivityKind.Consumer => 5,
        _ => 1,
    };

    /// <summary>
    /// The activity kind of a SpanKind number or name (SPAN_KIND_UNSPECIFIED reads as internal);
    /// false for anything else.
    /// </summary>
    public static bool TryParseKind(int number, out ActivityKind kind)
    {
        kind = number switch
        {
            0 or 1 => ActivityKind.Internal,
            2 => ActivityKind.Server,
            3 => ActivityKind.Client,
            4 => ActivityKind.Producer,
            5 => ActivityKind.Consumer,
            _ => (ActivityKind)(-1),
        };
        return (int)kind >= 0;
    }

    /// <summary>The SpanKind names a protobuf JSON writer may use instead of numbers.</summary>
    public static int KindNumberOfName(string? name) => name switch
    {
        "SPAN_KIND_UNSPECIFIED" => 0,
        "SPAN_KIND_INTERNAL" => 1,
        "SPAN_KIND_SERVER" => 2,
        "SPAN_KIND_CLIENT" => 3,
        "SPAN_KIND_PRODUCER" => 4,
        "SPAN_KIND_CONSUMER" => 5,
        _ => -1,
    };

    /// <summary>Status.StatusCode's number (STATUS_CODE_UNSET = 0, OK = 1, ERROR = 2).</summary>
    public static int StatusNumber(ActivityStatusCode status) => status switch
    {
        ActivityStatusCode.Ok => 1,
        ActivityStatusCode.Error => 2,
        _ => 0,
    };

    public static bool TryParseStatus(int number, out ActivityStatusCode status)
    {
        status = number switch
        {
            1 => ActivityStatusCode.Ok,
            2 => ActivityStatusCode.Error,
            _ => ActivityStatusCode.Unset,
        };
        return number is >= 0 and <= 2;
    }

    /// <summary>The StatusCode names a protobuf JSON writer may use instead of numbers.</summary>
    public static int StatusNumberOfName(string? name) => name switch
    {
        "STATUS_CODE_UNSET" => 0,
        "STATUS_CODE_OK" => 1,
        "STATUS_CODE_ERROR" => 2,
        _ => -1,
    };
}
