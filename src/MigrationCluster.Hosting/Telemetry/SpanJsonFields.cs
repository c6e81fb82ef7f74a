using System.Diagnostics;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>The field names and enumeration texts of the JSON-lines trace format, shared by writer and reader.</summary>
public static class SpanJsonFields
{
    public const string TraceId = "traceId";
    public const string SpanId = "spanId";
    public const string ParentSpanId = "parentSpanId";
    public const string Name = "name";
    public const string Kind = "kind";
    public const string StartTimeUnixNano = "startTimeUnixNano";
    public const string EndTimeUnixNano = "endTimeUnixNano";
    public const string Status = "status";
    public const string StatusDescription = "statusDescription";
    public const string Attributes = "attributes";
    public const string Events = "events";
    public const string TimeUnixNano = "timeUnixNano";
    public const string Scope = "scope";
    public const string Resource = "resource";

    public const string StatusUnset = "unset";
    public const string StatusOk = "ok";
    public const string StatusError = "error";

    public static string KindText(ActivityKind kind) => kind switch
    {
        ActivityKind.Server => "server",
        ActivityKind.Client => "client",
        ActivityKind.Producer => "producer",
        ActivityKind.Consumer => "consumer",
        _ => "internal",
    };

    public static bool TryParseKind(string? text, out ActivityKind kind)
    {
        kind = text switch
        {
            "internal" => ActivityKind.Internal,
            "server" => ActivityKind.Server,
            "client" => ActivityKind.Client,
            "producer" => ActivityKind.Producer,
            "consumer" => ActivityKind.Consumer,
            _ => (ActivityKind)(-1),
        };
        return (int)kind >= 0;
    }

    public static string StatusText(ActivityStatusCode status) => status switch
    {
        ActivityStatusCode.Ok => StatusOk,
        ActivityStatusCode.Error => StatusError,
        _ => StatusUnset,
    };

    public static bool TryParseStatus(string? text, out ActivityStatusCode status)
    {
        switch (text)
        {
            case StatusUnset:
                status = ActivityStatusCode.Unset;
                return true;
            case StatusOk:
                status = ActivityStatusCode.Ok;
                return true;
            case StatusError:
                status = ActivityStatusCode.Error;
                return true;
            default:
                status = ActivityStatusCode.Unset;
                return false;
        }
    }
}
