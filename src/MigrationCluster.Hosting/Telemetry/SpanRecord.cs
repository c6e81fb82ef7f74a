using System.Diagnostics;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// A finished span, independent of <see cref="Activity"/>: what an OTLP/JSON trace file holds and
/// what <c>trace show</c> draws. Ids are lower-case hex; <see cref="ParentSpanId"/> is
/// empty for a root. Attribute values are <see cref="string"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <c>object?[]</c> of those, or null.
/// </summary>
public sealed record SpanRecord
{
    public required string TraceId { get; init; }
    public required string SpanId { get; init; }
    public string ParentSpanId { get; init; } = string.Empty;
    public required string Name { get; init; }
    public ActivityKind Kind { get; init; } = ActivityKind.Internal;
    public required long StartTimeUnixNano { get; init; }
    public required long EndTimeUnixNano { get; init; }
    public ActivityStatusCode Status { get; init; } = ActivityStatusCode.Unset;

    /// <summary>Set when <see cref="Status"/> is <see cref="ActivityStatusCode.Error"/>.</summary>
    public string? StatusDescription { get; init; }

    public IReadOnlyList<KeyValuePair<string, object?>> Attributes { get; init; } = [];
    public IReadOnlyList<SpanEventRecord> Events { get; init; } = [];

    /// <summary>The ActivitySource that produced the span, when known.</summary>
    public string? ScopeName { get; init; }

    /// <summary>Resource attributes (<c>service.name</c>, ...), when known.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Resource { get; init; } = [];

    /// <summary>True for a span that started a trace.</summary>
    public bool IsRoot => ParentSpanId.Length == 0;

    public TimeSpan Duration => TimeSpan.FromTicks((EndTimeUnixNano - StartTimeUnixNano) / NanosecondsPerTick);

    /// <summary>The <c>service.name</c> resource attribute, if present.</summary>
    public string? ServiceName => FindValue(Resource, ServiceNameAttribute) as string;

    /// <summary>The resource attribute that names the service (OpenTelemetry's semantic conventions).</summary>
    public const string ServiceNameAttribute = "service.name";

    internal const long NanosecondsPerTick = 100;

    /// <summary>The first attribute named <paramref name="name"/>, or null.</summary>
    public object? GetAttribute(string name) => FindValue(Attributes, name);

    /// <summary>Copies a stopped <see cref="Activity"/>.</summary>
    public static SpanRecord FromActivity(Activity activity, IReadOnlyList<KeyValuePair<string, object?>>? resource = null)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var attributes = new List<KeyValuePair<string, object?>>();
        foreach (var tag in activity.TagObjects)
        {
            attributes.Add(new(tag.Key, SpanAttributeValue.Normalize(tag.Value)));
        }

        var events = new List<SpanEventRecord>();
        foreach (var activityEvent in activity.Events)
        {
            var eventAttributes = new List<KeyValuePair<string, object?>>();
            foreach (var tag in activityEvent.Tags)
            {
                eventAttributes.Add(new(tag.Key, SpanAttributeValue.Normalize(tag.Value)));
            }

            events.Add(new SpanEventRecord(activityEvent.Name, ToUnixNano(activityEvent.Timestamp.UtcDateTime), eventAttributes));
        }

        var start = ToUnixNano(activity.StartTimeUtc);
        return new SpanRecord
        {
            TraceId = activity.TraceId.ToHexString(),
            SpanId = activity.SpanId.ToHexString(),
            ParentSpanId = activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString(),
            Name = activity.DisplayName,
            Kind = activity.Kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + (activity.Duration.Ticks * NanosecondsPerTick),
            Status = activity.Status,
            StatusDescription = activity.Status == ActivityStatusCode.Error ? activity.StatusDescription : null,
            Attributes = attributes,
            Events = events,
            ScopeName = activity.Source.Name,
            Resource = resource ?? [],
        };
    }

    /// <summary>Nanoseconds since the Unix epoch (the clock has 100 ns ticks).</summary>
    public static long ToUnixNano(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * NanosecondsPerTick;

    private static object? FindValue(IReadOnlyList<KeyValuePair<string, object?>> list, string name)
    {
        foreach (var pair in list)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }

        return null;
    }
}
