using System.Text.Json;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Serialization;

/// <summary>
/// How a value of type <typeparamref name="T"/> crosses the wire: a registered codec
/// (<see cref="WireCodecs"/>) or a common primitive in binary, anything else as length-prefixed JSON (System.Text.Json, fields included, grain references as
/// their grain id). The choice is made once per type.
/// </summary>
public static class WireCodec<T>
{
    private static readonly Action<WireWriter, T> Writer;
    private static readonly Func<WireReader, T> Reader;

    static WireCodec()
    {
        (Writer, Reader) = WireCodecs.TryGet<T>() ?? PrimitiveCodecs.TryGet<T>() ?? (WriteJson, ReadJson);
    }

    public static void Write(WireWriter writer, T value) => Writer(writer, value);

    public static T Read(WireReader reader) => Reader(reader);

    private static void WriteJson(WireWriter writer, T value)
    {
        var lengthAt = writer.ReserveInt32();
        var start = writer.Length;
        using (var json = new Utf8JsonWriter(writer, JsonWireOptions.WriterOptions))
        {
            JsonSerializer.Serialize(json, value, JsonWireOptions.Serializer);
        }
        writer.PatchInt32(lengthAt, writer.Length - start);
    }

    private static T ReadJson(WireReader reader)
    {
        var length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, JsonWireOptions.Serializer)!;
        }
        catch (JsonException exception)
        {
            throw new WireFormatException($"Cannot read a {typeof(T).Name} from the wire: {exception.Message}", exception);
        }
    }
}

/// <summary>Binary codecs for the types that are common in grain interfaces.</summary>
internal static class PrimitiveCodecs
{
    public static (Action<WireWriter, T>, Func<WireReader, T>)? TryGet<T>()
    {
        object? pair = typeof(T) switch
        {
            var t when t == typeof(int) => Pair<int>((w, v) => w.WriteInt32(v), r => r.ReadInt32()),
            var t when t == typeof(long) => Pair<long>((w, v) => w.WriteInt64(v), r => r.ReadInt64()),
            var t when t == typeof(uint) => Pair<uint>((w, v) => w.WriteUInt32(v), r => r.ReadUInt32()),
            var t when t == typeof(ulong) => Pair<ulong>((w, v) => w.WriteInt64((long)v), r => (ulong)r.ReadInt64()),
            var t when t == typeof(short) => Pair<short>((w, v) => w.WriteInt32(v), r => (short)r.ReadInt32()),
            var t when t == typeof(byte) => Pair<byte>((w, v) => w.WriteByte(v), r => r.ReadByte()),
            var t when t == typeof(bool) => Pair<bool>((w, v) => w.WriteBoolean(v), r => r.ReadBoolean()),
            var t when t == typeof(double) => Pair<double>((w, v) => w.WriteDouble(v), r => r.ReadDouble()),
            var t when t == typeof(float) => Pair<float>((w, v) => w.WriteDouble(v), r => (float)r.ReadDouble()),
            var t when t == typeof(string) => Pair<string?>((w, v) => w.WriteString(v), r => r.ReadString()),
            var t when t == typeof(Guid) => Pair<Guid>((w, v) => w.WriteGuid(v), r => r.ReadGuid()),
            var t when t == typeof(TimeSpan) => Pair<TimeSpan>((w, v) => w.WriteInt64(v.Ticks), r => new TimeSpan(r.ReadInt64())),
            var t when t == typeof(DateTime) => Pair<DateTime>((w, v) => w.WriteInt64(v.ToBinary()), r => DateTime.FromBinary(r.ReadInt64())),
            var t when t == typeof(VoidResult) => Pair<VoidResult>((_, _) => { }, _ => default),
            var t when t == typeof(GrainId) => Pair<GrainId>(
                (w, v) => { w.WriteString(v.IsDefault ? null : v.Type); w.WriteString(v.Key); },
                r => r.ReadString() is { } type ? new GrainId(type, r.ReadString() ?? string.Empty) : SkipKey(r)),
            var t when t == typeof(byte[]) => Pair<byte[]?>(
                (w, v) => { if (v is null) { w.WriteInt32(-1); } else { w.WriteInt32(v.Length); w.WriteBytes(v); } },
                r => r.ReadInt32() is var n && n < 0 ? null : r.ReadBytes(n).ToArray()),
            _ => null,
        };
        return ((Action<WireWriter, T>, Func<WireReader, T>)?)pair;
    }

    private static GrainId SkipKey(WireReader reader)
    {
        reader.ReadString();
        return default;
    }

    private static (Action<WireWriter, TValue>, Func<WireReader, TValue>) Pair<TValue>(Action<WireWriter, TValue> write, Func<WireReader, TValue> read) => (write, read);
}
