using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Reads OTLP/JSON trace lines (one <c>ExportTraceServiceRequest</c> per line, as
/// <see cref="OtlpJsonFileExporter"/> and the OpenTelemetry Collector's file exporter write them)
/// into <see cref="SpanRecord"/>s. Any number of resourceSpans and scopeSpans per line, any number
/// of lines; blank lines are skipped and unknown fields ignored. A line that is not a request stops
/// the read with a <see cref="TraceFileFormatException"/> naming the file and line, except the last
/// line when it has no newline and is not whole JSON: the writer stopped in the middle of it, and
/// the spans before it are kept (<see cref="TraceFile.CutLineNumber"/>).
/// </summary>
public static class OtlpJsonTraceReader
{
    private const int ChunkBytes = 64 * 1024;

    // AnyValue arrays nest; a span needs a depth of about 10.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>
    /// Reads the lines of <paramref name="stream"/>, stopping with an error past
    /// <paramref name="maxBytes"/> bytes (so a device that never ends cannot exhaust memory);
    /// <paramref name="sourceName"/> names the input in errors.
    /// </summary>
    public static TraceFile Read(Stream stream, string sourceName, long maxBytes = TraceFile.DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);

        var spans = new List<SpanRecord>();
        var pending = new ArrayBufferWriter<byte>(ChunkBytes);
        var chunk = new byte[ChunkBytes];
        long total = 0;
        var lineNumber = 0;
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw RegularFile.TooLarge(sourceName, total, maxBytes);
            }

            var rest = chunk.AsSpan(0, read);
            int newline;
            while ((newline = rest.IndexOf((byte)'\n')) >= 0)
            {
                pending.Write(rest[..newline]);
                lineNumber++;
                ParseLine(pending.WrittenMemory, sourceName, lineNumber, spans);
                pending.ResetWrittenCount();
                rest = rest[(newline + 1)..];
            }

            pending.Write(rest);
        }

        int? cut = null;
        if (pending.WrittenCount > 0)
        {
            lineNumber++;
            if (IsCutJson(pending.WrittenSpan))
            {
                cut = lineNumber;
            }
            else
            {
                ParseLine(pending.WrittenMemory, sourceName, lineNumber, spans);
            }
        }

        return new TraceFile(sourceName, spans, cut);
    }

    /// <summary>
    /// Adds the spans of one line to <paramref name="spans"/>; <paramref name="lineNumber"/> is
    /// 1-based and only used in errors. A blank line adds nothing.
    /// </summary>
    public static void ParseLine(ReadOnlyMemory<byte> line, string sourceName, int lineNumber, ICollection<SpanRecord> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        if (IsBlank(line.Span))
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new TraceFileFormatException(sourceName, lineNumber, $"not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            try
            {
                ReadRequest(document.RootElement, spans);
            }
            catch (FormatException e)
            {
                throw new TraceFileFormatException(sourceName, lineNumber, e.Message, e);
            }
            catch (InvalidOperationException e)
            {
                // A JSON value of another kind than the field needs.
                throw new TraceFileFormatException(sourceName, lineNumber, e.Message, e);
            }
        }
    }

    private static void ReadRequest(JsonElement root, ICollection<SpanRecord> spans)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"expected an ExportTraceServiceRequest object, found {root.ValueKind}");
        }

        if (!root.TryGetProperty(OtlpJsonFields.ResourceSpans, out var resourceSpans))
        {
            throw new FormatException($"missing '{OtlpJsonFields.ResourceSpans}': not an OTLP/JSON ExportTraceServiceRequest");
        }

        foreach (var resourceSpan in Objects(resourceSpans, OtlpJsonFields.ResourceSpans))
        {
            var resource = resourceSpan.TryGetProperty(OtlpJsonFields.Resource, out var resourceElement) && resourceElement.ValueKind == JsonValueKind.Object
                ? ReadAttributes(resourceElement)
                : [];
            if (!resourceSpan.TryGetProperty(OtlpJsonFields.ScopeSpans, out var scopeSpans))
            {
                continue;
            }

            foreach (var scopeSpan in Objects(scopeSpans, OtlpJsonFields.ScopeSpans))
            {
                string? scopeName = null;
                if (scopeSpan.TryGetProperty(OtlpJsonFields.Scope, out var scope) && scope.ValueKind == JsonValueKind.Object)
                {
                    scopeName = OptionalString(scope, OtlpJsonFields.Name);
                }

                if (!scopeSpan.TryGetProperty(OtlpJsonFields.Spans, out var spanArray))
                {
                    continue;
                }

                foreach (var span in Objects(spanArray, OtlpJsonFields.Spans))
                {
                    spans.Add(ReadSpan(span, scopeName, resource));
                }
            }
        }
    }

    private static SpanRecord ReadSpan(JsonElement span, string? scopeName, List<KeyValuePair<string, object?>> resource)
    {
        var start = RequiredNanoseconds(span, OtlpJsonFields.StartTimeUnixNano);
        var end = RequiredNanoseconds(span, OtlpJsonFields.EndTimeUnixNano);
        if (end < start)
        {
            throw new FormatException($"'{OtlpJsonFields.EndTimeUnixNano}' ({end}) is before '{OtlpJsonFields.StartTimeUnixNano}' ({start})");
        }

        var status = ActivityStatusCode.Unset;
        string? statusMessage = null;
        if (span.TryGetProperty(OtlpJsonFields.Status, out var statusElement) && statusElement.ValueKind == JsonValueKind.Object)
        {
            var code = Enumeration(statusElement, OtlpJsonFields.Code, OtlpJsonFields.StatusNumberOfName);
            if (!OtlpJsonFields.TryParseStatus(code, out status))
            {
                throw new FormatException($"'{OtlpJsonFields.Status}.{OtlpJsonFields.Code}' is {code}, expected 0 (unset), 1 (ok) or 2 (error)");
            }

            statusMessage = OptionalString(statusElement, OtlpJsonFields.Message);
        }

        var kindNumber = Enumeration(span, OtlpJsonFields.Kind, OtlpJsonFields.KindNumberOfName);
        if (!OtlpJsonFields.TryParseKind(kindNumber, out var kind))
        {
            throw new FormatException($"'{OtlpJsonFields.Kind}' is {kindNumber}, expected a SpanKind from 0 to 5");
        }

        var parent = OptionalString(span, OtlpJsonFields.ParentSpanId);
        return new SpanRecord
        {
            TraceId = RequiredHex(span, OtlpJsonFields.TraceId, 32),
            SpanId = RequiredHex(span, OtlpJsonFields.SpanId, 16),
            ParentSpanId = string.IsNullOrEmpty(parent) ? string.Empty : RequiredHex(span, OtlpJsonFields.ParentSpanId, 16),
            Name = OptionalString(span, OtlpJsonFields.Name) ?? string.Empty,
            Kind = kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Status = status,
            StatusDescription = status == ActivityStatusCode.Error ? statusMessage : null,
            Attributes = ReadAttributes(span),
            Events = ReadEvents(span),
            ScopeName = scopeName,
            Resource = resource,
        };
    }

    private static List<SpanEventRecord> ReadEvents(JsonElement span)
    {
        var events = new List<SpanEventRecord>();
        if (!span.TryGetProperty(OtlpJsonFields.Events, out var array))
        {
            return events;
        }

        foreach (var item in Objects(array, OtlpJsonFields.Events))
        {
            events.Add(new SpanEventRecord(
                OptionalString(item, OtlpJsonFields.Name) ?? string.Empty,
                RequiredNanoseconds(item, OtlpJsonFields.TimeUnixNano),
                ReadAttributes(item)));
        }

        return events;
    }

    /// <summary>The <c>attributes</c> of a resource, span or event: <c>[{"key":..,"value":AnyValue}]</c>.</summary>
    private static List<KeyValuePair<string, object?>> ReadAttributes(JsonElement parent)
    {
        var attributes = new List<KeyValuePair<string, object?>>();
        if (!parent.TryGetProperty(OtlpJsonFields.Attributes, out var array))
        {
            return attributes;
        }

        foreach (var item in Objects(array, OtlpJsonFields.Attributes))
        {
            var key = OptionalString(item, OtlpJsonFields.Key) ?? throw new FormatException($"an attribute without a '{OtlpJsonFields.Key}'");
            var value = item.TryGetProperty(OtlpJsonFields.Value, out var valueElement) && valueElement.ValueKind != JsonValueKind.Null
                ? SpanAttributeValue.ReadAnyValue(valueElement, key)
                : null;
            attributes.Add(new(key, value));
        }

        return attributes;
    }

    /// <summary>The objects of an array field (null reads as empty, as the protobuf JSON mapping allows).</summary>
    private static IEnumerable<JsonElement> Objects(JsonElement array, string field)
    {
        if (array.ValueKind == JsonValueKind.Null)
        {
            yield break;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{field}' must be an array, found {array.ValueKind}");
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"each of '{field}' must be an object, found {item.ValueKind}");
            }

            yield return item;
        }
    }

    /// <summary>An enumeration as OTLP writes it (a number) or as the protobuf mapping also allows (its name); 0 when absent.</summary>
    private static int Enumeration(JsonElement parent, string field, Func<string?, int> numberOfName)
    {
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && numberOfName(value.GetString()) is var named and >= 0)
        {
            return named;
        }

        throw new FormatException($"'{field}' is {value.GetRawText()}, expected an integer");
    }

    private static string? OptionalString(JsonElement parent, string field)
    {
        if (!parent.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatException($"'{field}' must be a string, found {value.ValueKind}");
    }

    /// <summary>A trace or span id: hex, as OTLP/JSON writes ids (not base64); kept in lower case.</summary>
    private static string RequiredHex(JsonElement parent, string field, int length)
    {
        var text = OptionalString(parent, field) ?? throw new FormatException($"missing '{field}'");
        if (text.Length != length || !text.All(char.IsAsciiHexDigit))
        {
            throw new FormatException($"'{field}' is '{text}', expected {length} hex digits");
        }

        return text.ToLowerInvariant();
    }

    private static long RequiredNanoseconds(JsonElement parent, string field)
    {
        if (!parent.TryGetProperty(field, out var value))
        {
            throw new FormatException($"missing '{field}'");
        }

        return SpanAttributeValue.ReadInteger(value) is { } nanoseconds and >= 0
            ? nanoseconds
            : throw new FormatException($"'{field}' must be a whole number of nanoseconds (a string of digits), found {value.GetRawText()}");
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    /// <summary>
    /// Whether the bytes are the beginning of a JSON object that stops before its end (what a
    /// writer stopped mid-line leaves); false for whole JSON and for bytes that are not JSON at all.
    /// </summary>
    private static bool IsCutJson(ReadOnlySpan<byte> line)
    {
        if (IsBlank(line))
        {
            return false;
        }

        var reader = new Utf8JsonReader(line, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth }));
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return !(reader.CurrentDepth == 0 && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray);
    }
}
