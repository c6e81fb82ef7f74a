using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace MigrationCluster.Grains.Serialization;

/// <summary>
/// Arrays of plain structs as one block of bytes on the wire: every protocol step sends page
/// descriptors and PTEs by the hundred, and encoding them field by field through surrogates costs
/// more than the step itself. The element size travels with the block, so a peer built with
/// another layout is refused instead of misread. (Orleans finds a codec only on a class that
/// implements its interfaces itself, so each array type has a small codec calling these.)
/// </summary>
internal static class BlittableArrays
{
    public static void Write<T, TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, T[]? value)
        where T : unmanaged
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(T[]), WireType.LengthPrefixed);
        var bytes = MemoryMarshal.AsBytes(value!.AsSpan());
        writer.WriteVarUInt32((uint)(bytes.Length + 4));
        writer.WriteInt32(Unsafe.SizeOf<T>());
        writer.Write(bytes);
    }

    public static T[] Read<T, TInput>(ref Reader<TInput> reader, Field field)
        where T : unmanaged
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<T[], TInput>(ref reader, field)!;
        }
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        var elementSize = reader.ReadInt32();
        var expected = Unsafe.SizeOf<T>();
        if (elementSize != expected || length < 4 || (length - 4) % expected != 0)
        {
            throw new InvalidOperationException($"A {typeof(T).Name}[] on the wire has {elementSize}-byte elements in {length} bytes; this build's are {expected} bytes.");
        }
        var result = new T[(length - 4) / expected];
        reader.ReadBytes(MemoryMarshal.AsBytes(result.AsSpan()));
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }
}
