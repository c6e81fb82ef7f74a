using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The value types a span attribute may have on the wire: string, 64-bit integer, double, bool,
/// and arrays of those (as OTLP's AnyValue). Anything else is written as its invariant text.
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

    /// <summary>Writes a tag value without boxing the common scalar types again.</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case IEnumerable enumerable:
                writer.WriteStartArray();
                foreach (var item in enumerable)
                {
                    Write(writer, Normalize(item));
                }

                writer.WriteEndArray();
                break;
            default:
                // Normalize only returns the types handled above, so this recursion ends.
                Write(writer, Normalize(value));
                break;
        }
    }

    /// <summary>
    /// Doubles keep a fraction or exponent in their text ("3.0", not "3"), so that the reader can
    /// tell them from integers; non-finite values have no JSON number and are written as text.
    /// </summary>
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
            return;
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.AsSpan().IndexOfAny('.', 'E', 'e') < 0)
        {
            text += ".0";
        }

        writer.WriteRawValue(text, skipInputValidation: true);
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
