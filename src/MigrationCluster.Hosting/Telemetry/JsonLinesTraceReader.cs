using System.Diagnostics;
using System.Text.Json;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Reads a JSON-lines trace file written by <see cref="JsonLinesSpanExporter"/> back into
/// <see cref="SpanRecord"/>s. Blank lines are skipped; any other line that is not a span stops the
/// read with a <see cref="TraceFileFormatException"/> naming the file and line.
/// </summary>
public static class JsonLinesTraceReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>All spans of the file at <paramref name="path"/>.</summary>
    public static IReadOnlyList<SpanRecord> ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return [.. Read(reader, path)];
    }

    /// <summary>Spans from <paramref name="reader"/>, lazily; <paramref name="sourceName"/> names it in errors.</summary>
    public static IEnumerable<SpanRecord> Read(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ReadLines(reader, sourceName);
    }

    /// <summary>Parses one line; <paramref name="lineNumber"/> is 1-based and only used in errors.</summary>
    public static SpanRecord ParseLine(string line, string sourceName, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
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
                return ToSpan(document.RootElement);
            }
            catch (FormatException e)
            {
                throw new TraceFileFormatException(sourceName, lineNumber, e.Message, e);
            }
        }
    }

    private static IEnumerable<SpanRecord> ReadLines(TextReader reader, string sourceName)
    {
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseLine(line, sourceName, lineNumber);
        }
    }

    private static SpanRecord ToSpan(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"expected a JSON object, found {root.ValueKind}");
        }

        var kindText = RequiredString(root, SpanJsonFields.Kind);
        if (!SpanJsonFields.TryParseKind(kindText, out var kind))
        {
            throw new FormatException($"'{SpanJsonFields.Kind}' is '{kindText}', expected internal, server, client, producer or consumer");
        }

        var status = ActivityStatusCode.Unset;
        if (OptionalString(root, SpanJsonFields.Status) is { } statusText && !SpanJsonFields.TryParseStatus(statusText, out status))
        {
            throw new FormatException($"'{SpanJsonFields.Status}' is '{statusText}', expected unset, ok or error");
        }

        var start = RequiredInteger(root, SpanJsonFields.StartTimeUnixNano);
        var end = RequiredInteger(root, SpanJsonFields.EndTimeUnixNano);
        if (end < start)
        {
            throw new FormatException($"'{SpanJsonFields.EndTimeUnixNano}' ({end}) is before '{SpanJsonFields.StartTimeUnixNano}' ({start})");
        }

        return new SpanRecord
        {
            TraceId = RequiredHex(root, SpanJsonFields.TraceId, 32),
            SpanId = RequiredHex(root, SpanJsonFields.SpanId, 16),
            ParentSpanId = OptionalString(root, SpanJsonFields.ParentSpanId) is { Length: > 0 }
                ? RequiredHex(root, SpanJsonFields.ParentSpanId, 16)
                : string.Empty,
            Name = RequiredString(root, SpanJsonFields.Name),
            Kind = kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            Status = status,
            StatusDescription = OptionalString(root, SpanJsonFields.StatusDescription),
            Attributes = ReadAttributes(root, SpanJsonFields.Attributes),
            Events = ReadEvents(root),
            ScopeName = OptionalString(root, SpanJsonFields.Scope),
            Resource = ReadAttributes(root, SpanJsonFields.Resource),
        };
    }

    private static List<SpanEventRecord> ReadEvents(JsonElement root)
    {
        var events = new List<SpanEventRecord>();
        if (!root.TryGetProperty(SpanJsonFields.Events, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return events;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"'{SpanJsonFields.Events}' must be an array");
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"each of '{SpanJsonFields.Events}' must be an object");
            }

            events.Add(new SpanEventRecord(
                RequiredString(item, SpanJsonFields.Name),
                RequiredInteger(item, SpanJsonFields.TimeUnixNano),
                ReadAttributes(item, SpanJsonFields.Attributes)));
        }

        return events;
    }

    private static List<KeyValuePair<string, object?>> ReadAttributes(JsonElement parent, string field)
    {
        var attributes = new List<KeyValuePair<string, object?>>();
        if (!parent.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return attributes;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"'{field}' must be an object of name to value");
        }

        foreach (var property in element.EnumerateObject())
        {
            attributes.Add(new(property.Name, ReadValue(property.Value, property.Name)));
        }

        return attributes;
    }

    private static object? ReadValue(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,

        // The writer keeps a '.' or exponent in every double, so an integer text is an integer.
        JsonValueKind.Number => IsIntegerText(value) && value.TryGetInt64(out var integer) ? (object)integer : value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(item => ReadValue(item, name)).ToArray(),
        _ => throw new FormatException($"attribute '{name}' is a nested object; expected a string, number, bool or array"),
    };

    private static bool IsIntegerText(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    private static string RequiredString(JsonElement parent, string field)
    {
        if (!parent.TryGetProperty(field, out var value))
        {
            throw new FormatException($"missing '{field}'");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"'{field}' must be a string, found {value.ValueKind}");
        }

        return value.GetString()!;
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

    private static string RequiredHex(JsonElement parent, string field, int length)
    {
        var text = RequiredString(parent, field);
        if (text.Length != length || !text.All(char.IsAsciiHexDigitLower))
        {
            throw new FormatException($"'{field}' is '{text}', expected {length} lower-case hex digits");
        }

        return text;
    }

    private static long RequiredInteger(JsonElement parent, string field)
    {
        if (!parent.TryGetProperty(field, out var value))
        {
            throw new FormatException($"missing '{field}'");
        }

        // Integers may also come as strings, the way OTLP/JSON writes 64-bit numbers.
        if (value.ValueKind == JsonValueKind.Number && IsIntegerText(value) && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FormatException($"'{field}' must be an integer number of nanoseconds, found {value.GetRawText()}");
    }
}
