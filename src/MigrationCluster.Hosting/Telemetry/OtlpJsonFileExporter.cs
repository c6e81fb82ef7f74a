using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Resources;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Writes each export batch as one line of OTLP/JSON: an <c>ExportTraceServiceRequest</c>
/// (<c>resourceSpans[].scopeSpans[].spans[]</c>) in OTLP's JSON encoding, the file format the
/// OpenTelemetry Collector's file exporter writes and its <c>otlpjsonfile</c> receiver reads, so a
/// trace file can be replayed into any collector. <see cref="OtlpJsonTraceReader"/> reads it back.
/// A line is built in memory and handed to the file in one write, so the file ends at a whole line
/// whenever the process stops, even by SIGKILL. Thread-safe.
/// </summary>
public sealed class OtlpJsonFileExporter : BaseExporter<Activity>
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Span names and tags are ours, not HTML: keep them readable ("a<b" stays "a<b").
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,

        // Attribute arrays nest; the default (1000) is far beyond what a span carries.
        MaxDepth = 64,
    };

    private readonly Lock gate = new();
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly ArrayBufferWriter<byte> line = new(64 * 1024);
    private readonly Utf8JsonWriter writer;
    private IReadOnlyList<KeyValuePair<string, object>>? resource;
    private bool closed;

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>; with <paramref name="append"/> adds to it.</summary>
    public OtlpJsonFileExporter(string path, bool append = false)
        : this(OpenFile(path, append), leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>; closes it at shutdown unless <paramref name="leaveOpen"/>.</summary>
    public OtlpJsonFileExporter(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        writer = new Utf8JsonWriter(line, WriterOptions);
    }

    /// <summary>Number of spans written so far.</summary>
    public long SpansWritten { get; private set; }

    /// <summary>Number of lines (export requests) written so far.</summary>
    public long LinesWritten { get; private set; }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        // A batch from the batch processor can be enumerated only once: take the spans out first.
        var activities = new List<Activity>((int)Math.Min(batch.Count, 1 << 16));
        foreach (var activity in batch)
        {
            activities.Add(activity);
        }

        lock (gate)
        {
            if (closed)
            {
                return ExportResult.Failure;
            }

            if (activities.Count == 0)
            {
                return ExportResult.Success;
            }

            resource ??= ParentProvider is null ? [] : [.. ParentProvider.GetResource().Attributes];
            line.ResetWrittenCount();
            writer.Reset(line);
            WriteRequest(writer, resource, activities);
            writer.Flush();
            line.GetSpan(1)[0] = (byte)'\n';
            line.Advance(1);
            try
            {
                // One write of the whole line, then to the file at once: never half a line on disk.
                stream.Write(line.WrittenSpan);
                stream.Flush();
            }
            catch (IOException)
            {
                return ExportResult.Failure;
            }

            SpansWritten += activities.Count;
            LinesWritten++;
            return ExportResult.Success;
        }
    }

    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        lock (gate)
        {
            if (!closed)
            {
                stream.Flush();
            }

            return true;
        }
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        lock (gate)
        {
            Close();
            return true;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (gate)
            {
                Close();
            }
        }

        base.Dispose(disposing);
    }

    private void Close()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        writer.Dispose();
        if (leaveOpen)
        {
            stream.Flush();
        }
        else
        {
            stream.Dispose();
        }
    }

    /// <summary>One ExportTraceServiceRequest: the resource once, then one scopeSpans per ActivitySource.</summary>
    private static void WriteRequest(Utf8JsonWriter w, IReadOnlyList<KeyValuePair<string, object>> resource, List<Activity> activities)
    {
        w.WriteStartObject();
        w.WriteStartArray(OtlpJsonFields.ResourceSpans);
        w.WriteStartObject();
        w.WriteStartObject(OtlpJsonFields.Resource);
        SpanAttributeValue.WriteKeyValues(w, OtlpJsonFields.Attributes, resource);
        w.WriteEndObject();
        w.WriteStartArray(OtlpJsonFields.ScopeSpans);
        foreach (var scope in activities.GroupBy(activity => activity.Source))
        {
            w.WriteStartObject();
            w.WriteStartObject(OtlpJsonFields.Scope);
            w.WriteString(OtlpJsonFields.Name, scope.Key.Name);
            if (!string.IsNullOrEmpty(scope.Key.Version))
            {
                w.WriteString(OtlpJsonFields.Version, scope.Key.Version);
            }

            w.WriteEndObject();
            w.WriteStartArray(OtlpJsonFields.Spans);
            foreach (var activity in scope)
            {
                WriteSpan(w, activity);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter w, Activity activity)
    {
        w.WriteStartObject();
        w.WriteString(OtlpJsonFields.TraceId, activity.TraceId.ToHexString());
        w.WriteString(OtlpJsonFields.SpanId, activity.SpanId.ToHexString());
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            w.WriteString(OtlpJsonFields.TraceState, activity.TraceStateString);
        }

        if (activity.ParentSpanId != default)
        {
            w.WriteString(OtlpJsonFields.ParentSpanId, activity.ParentSpanId.ToHexString());
        }

        // The W3C trace flags, and whether the parent came from another process (as the SDK's OTLP exporter sends).
        w.WriteNumber(OtlpJsonFields.Flags, (uint)activity.ActivityTraceFlags | OtlpJsonFields.FlagsHasIsRemote | (activity.HasRemoteParent ? OtlpJsonFields.FlagsIsRemote : 0));
        w.WriteString(OtlpJsonFields.Name, activity.DisplayName);
        w.WriteNumber(OtlpJsonFields.Kind, OtlpJsonFields.KindNumber(activity.Kind));
        var start = SpanRecord.ToUnixNano(activity.StartTimeUtc);
        WriteNanoseconds(w, OtlpJsonFields.StartTimeUnixNano, start);
        WriteNanoseconds(w, OtlpJsonFields.EndTimeUnixNano, start + (activity.Duration.Ticks * SpanRecord.NanosecondsPerTick));
        SpanAttributeValue.WriteKeyValues(w, OtlpJsonFields.Attributes, activity.TagObjects);

        w.WriteStartArray(OtlpJsonFields.Events);
        foreach (ref readonly var activityEvent in activity.EnumerateEvents())
        {
            w.WriteStartObject();
            WriteNanoseconds(w, OtlpJsonFields.TimeUnixNano, SpanRecord.ToUnixNano(activityEvent.Timestamp.UtcDateTime));
            w.WriteString(OtlpJsonFields.Name, activityEvent.Name);
            SpanAttributeValue.WriteKeyValues(w, OtlpJsonFields.Attributes, activityEvent.Tags);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        var hasLinks = false;
        foreach (ref readonly var link in activity.EnumerateLinks())
        {
            if (!hasLinks)
            {
                w.WriteStartArray(OtlpJsonFields.Links);
                hasLinks = true;
            }

            w.WriteStartObject();
            w.WriteString(OtlpJsonFields.TraceId, link.Context.TraceId.ToHexString());
            w.WriteString(OtlpJsonFields.SpanId, link.Context.SpanId.ToHexString());
            SpanAttributeValue.WriteKeyValues(w, OtlpJsonFields.Attributes, link.Tags ?? []);
            w.WriteEndObject();
        }

        if (hasLinks)
        {
            w.WriteEndArray();
        }

        // An unset status is the empty message, as the collector writes it.
        w.WriteStartObject(OtlpJsonFields.Status);
        if (activity.Status == ActivityStatusCode.Error && !string.IsNullOrEmpty(activity.StatusDescription))
        {
            w.WriteString(OtlpJsonFields.Message, activity.StatusDescription);
        }

        if (activity.Status != ActivityStatusCode.Unset)
        {
            w.WriteNumber(OtlpJsonFields.Code, OtlpJsonFields.StatusNumber(activity.Status));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>fixed64 fields are decimal strings in OTLP/JSON (JavaScript numbers lose precision past 2^53).</summary>
    private static void WriteNanoseconds(Utf8JsonWriter w, string name, long nanoseconds)
    {
        Span<byte> digits = stackalloc byte[24];
        nanoseconds.TryFormat(digits, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
        w.WriteString(name, digits[..length]);
    }

    private static FileStream OpenFile(string path, bool append)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Unbuffered: each line reaches the file in the single write that Export makes.
        return new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }
}
