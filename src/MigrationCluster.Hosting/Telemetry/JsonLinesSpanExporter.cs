using System.Buffers;
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Resources;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Writes each finished span as one line of JSON (UTF-8) in the format of <see cref="SpanJsonFields"/>,
/// which <see cref="JsonLinesTraceReader"/> reads back. Thread-safe; flushes the file after every
/// batch and on ForceFlush and Shutdown.
/// </summary>
public sealed class JsonLinesSpanExporter : BaseExporter<Activity>
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Span names and tags are ours, not HTML: keep them readable ("a<b" stays "a<b").
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly Lock gate = new();
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly ArrayBufferWriter<byte> buffer = new(4096);
    private readonly Utf8JsonWriter writer;
    private IReadOnlyList<KeyValuePair<string, object>>? resource;
    private bool closed;

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>; with <paramref name="append"/> adds to it.</summary>
    public JsonLinesSpanExporter(string path, bool append = false)
        : this(OpenFile(path, append), leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>; closes it at shutdown unless <paramref name="leaveOpen"/>.</summary>
    public JsonLinesSpanExporter(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        writer = new Utf8JsonWriter(buffer, WriterOptions);
    }

    /// <summary>Number of spans written so far.</summary>
    public long SpansWritten { get; private set; }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (gate)
        {
            if (closed)
            {
                return ExportResult.Failure;
            }

            resource ??= ReadResource();
            try
            {
                foreach (var activity in batch)
                {
                    WriteLine(activity);
                }

                stream.Flush();
                return ExportResult.Success;
            }
            catch (IOException)
            {
                return ExportResult.Failure;
            }
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
        stream.Flush();
        writer.Dispose();
        if (!leaveOpen)
        {
            stream.Dispose();
        }
    }

    private void WriteLine(Activity activity)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        WriteSpan(writer, activity, resource ?? []);
        writer.Flush();
        stream.Write(buffer.WrittenSpan);
        stream.WriteByte((byte)'\n');
        SpansWritten++;
    }

    private static void WriteSpan(Utf8JsonWriter w, Activity activity, IReadOnlyList<KeyValuePair<string, object>> resource)
    {
        w.WriteStartObject();
        w.WriteString(SpanJsonFields.TraceId, activity.TraceId.ToHexString());
        w.WriteString(SpanJsonFields.SpanId, activity.SpanId.ToHexString());
        w.WriteString(SpanJsonFields.ParentSpanId, activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString());
        w.WriteString(SpanJsonFields.Name, activity.DisplayName);
        w.WriteString(SpanJsonFields.Kind, SpanJsonFields.KindText(activity.Kind));
        var start = SpanRecord.ToUnixNano(activity.StartTimeUtc);
        w.WriteNumber(SpanJsonFields.StartTimeUnixNano, start);
        w.WriteNumber(SpanJsonFields.EndTimeUnixNano, start + (activity.Duration.Ticks * SpanRecord.NanosecondsPerTick));
        w.WriteString(SpanJsonFields.Status, SpanJsonFields.StatusText(activity.Status));
        if (activity.Status == ActivityStatusCode.Error)
        {
            w.WriteString(SpanJsonFields.StatusDescription, activity.StatusDescription ?? string.Empty);
        }

        w.WriteStartObject(SpanJsonFields.Attributes);
        foreach (var tag in activity.EnumerateTagObjects())
        {
            w.WritePropertyName(tag.Key);
            SpanAttributeValue.Write(w, tag.Value);
        }

        w.WriteEndObject();

        w.WriteStartArray(SpanJsonFields.Events);
        foreach (ref readonly var activityEvent in activity.EnumerateEvents())
        {
            w.WriteStartObject();
            w.WriteString(SpanJsonFields.Name, activityEvent.Name);
            w.WriteNumber(SpanJsonFields.TimeUnixNano, SpanRecord.ToUnixNano(activityEvent.Timestamp.UtcDateTime));
            w.WriteStartObject(SpanJsonFields.Attributes);
            foreach (var tag in activityEvent.EnumerateTagObjects())
            {
                w.WritePropertyName(tag.Key);
                SpanAttributeValue.Write(w, tag.Value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteString(SpanJsonFields.Scope, activity.Source.Name);
        if (resource.Count > 0)
        {
            w.WriteStartObject(SpanJsonFields.Resource);
            foreach (var attribute in resource)
            {
                w.WritePropertyName(attribute.Key);
                SpanAttributeValue.Write(w, attribute.Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private List<KeyValuePair<string, object>> ReadResource() =>
        ParentProvider is null ? [] : [.. ParentProvider.GetResource().Attributes];

    private static FileStream OpenFile(string path, bool append)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
    }
}
