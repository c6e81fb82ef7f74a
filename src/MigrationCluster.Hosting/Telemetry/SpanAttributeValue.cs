using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The value types a span attribute may have on the wire: string, 64-bit integer, double, bool,
/// and arrays of those, written and read as OTLP/JSON AnyValue objects. Anything else is written
/// as its invariant text.
/// </summary>
internal static class SpanAttributeValue
{
    /// <summary>Brings a tag value to the record's value types.</summary>
    public static object? Normalize(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        long l => l,
        int i => (long)i,
        short s16 => (long)s16,
        sbyte s8 => (long)s8,
        byte u8 => (long)u8,
        ushort u16 => (long)u16,
        uint u32 => (long)u32,
        ulong u64 => u64 <= long.MaxValue ? (long)u64 : u64.ToString(CultureInfo.InvariantCulture),
        double d => d,
        float f => (double)f,
        decimal m => (double)m,
        IEnumerable enumerable => NormalizeArray(enumerable),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>
    /// Writes <c>[{"key":..,"value":AnyValue}, ...]</c> under <paramref name="name"/>; attributes
    /// whose value is null are left out, as the SDK's OTLP exporter does.
    /// </summary>
    public static void WriteKeyValues<T>(Utf8JsonWriter writer, string name, IEnumerable<KeyValuePair<string, T>> attributes)
    {
        writer.WriteStartArray(name);
        foreach (var (key, value) in attributes)
        {
            if (value is null)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString(OtlpJsonFields.Key, key);
            writer.WritePropertyName(OtlpJsonFields.Value);
            WriteAnyValue(writer, value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// One OTLP AnyValue object: <c>{"stringValue":"x"}</c>, <c>{"intValue":"17"}</c> (64-bit
    /// integers are strings in OTLP/JSON), <c>{"doubleValue":0.5}</c>, <c>{"boolValue":true}</c>,
    /// <c>{"arrayValue":{"values":[...]}}</c>; a null inside an array is the empty AnyValue <c>{}</c>.
    /// </summary>
    public static void WriteAnyValue(Utf8JsonWriter writer, object? value)
    {
        // The common scalar types go through as they are; anything else becomes one of them.
        var normalized = value is null or string or bool or long or int or double ? value : Normalize(value);
        writer.WriteStartObject();
        switch (normalized)
        {
            case null:
                break;
            case string s:
                writer.WriteString(OtlpJsonFields.StringValue, s);
                break;
            case bool b:
                writer.WriteBoolean(OtlpJsonFields.BoolValue, b);
                break;
            case long l:
                WriteInteger(writer, l);
                break;
            case int i:
                WriteInteger(writer, i);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case IEnumerable enumerable:
                writer.WriteStartObject(OtlpJsonFields.ArrayValue);
                writer.WriteStartArray(OtlpJsonFields.Values);
                foreach (var item in enumerable)
                {
                    WriteAnyValue(writer, item);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Reads an AnyValue back to the record's value types: string, long, double, bool,
    /// <c>object?[]</c>, or null for the empty value. A key-value list reads as its JSON text and
    /// bytes as their base64 text: spans of this project carry neither.
    /// </summary>
    public static object? ReadAnyValue(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"the value of attribute '{name}' must be an AnyValue object, found {value.ValueKind}");
        }

        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case OtlpJsonFields.StringValue:
                    return field.Value.ValueKind == JsonValueKind.String
                        ? field.Value.GetString()
                        : throw new FormatException($"attribute '{name}': stringValue must be a string");
                case OtlpJsonFields.BoolValue:
                    return field.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? field.Value.GetBoolean()
                        : throw new FormatException($"attribute '{name}': boolValue must be true or false");
                case OtlpJsonFields.IntValue:
                    return ReadInteger(field.Value) ?? throw new FormatException($"attribute '{name}': intValue must be a 64-bit integer (a string of digits), found {field.Value.GetRawText()}");
                case OtlpJsonFields.DoubleValue:
                    return ReadDouble(field.Value) ?? throw new FormatException($"attribute '{name}': doubleValue must be a number, found {field.Value.GetRawText()}");
                case OtlpJsonFields.ArrayValue:
                    return ReadArray(field.Value, name);
                case OtlpJsonFields.KeyValueListValue:
                case OtlpJsonFields.BytesValue:
                    return field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString() : field.Value.GetRawText();
                default:
                    // Unknown fields are ignored, as OTLP/JSON receivers must.
                    break;
            }
        }

        return null;
    }

    /// <summary>A 64-bit integer written as a decimal string (OTLP/JSON) or as a JSON number; null otherwise.</summary>
    public static long? ReadInteger(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
    }

    private static double? ReadDouble(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),

        // The protobuf JSON mapping writes the non-finite values as strings.
        JsonValueKind.String => value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
        },
        _ => null,
    };

    private static object?[] ReadArray(JsonElement array, string name)
    {
        if (array.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"attribute '{name}': arrayValue must be an object with 'values'");
        }

        if (!array.TryGetProperty(OtlpJsonFields.Values, out var values) || values.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (values.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"attribute '{name}': arrayValue.values must be an array");
        }

        return [.. values.EnumerateArray().Select(item => ReadAnyValue(item, name))];
    }

    private static void WriteInteger(Utf8JsonWriter writer, long value)
    {
        Span<byte> digits = stackalloc byte[24];
        value.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        writer.WriteString(OtlpJsonFields.IntValue, digits[..length]);
    }

    /// <summary>A JSON number; the non-finite values, which JSON lacks, as the mapping's strings.</summary>
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(OtlpJsonFields.DoubleValue, value);
        }
        else
        {
            writer.WriteString(OtlpJsonFields.DoubleValue, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static object?[] NormalizeArray(IEnumerable enumerable)
    {
        var items = new List<object?>();
        foreach (var item in enumerable)
        {
            items.Add(Normalize(item));
        }

        return [.. items];
    }
}
