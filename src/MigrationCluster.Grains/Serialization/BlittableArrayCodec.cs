using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace MigrationCluster.Grains.Serialization;

/// <summary>
/// An array of plain structs as one block of bytes on the wire, and a memory copy as its deep
/// copy. Every protocol step sends a batch of page descriptors (hundreds of them); encoding them
/// field by field through surrogates costs more than the step itself. The element size travels
/// with the block, so a peer built with another layout is refused instead of misread.
/// </summary>
public abstract class BlittableArrayCodec<T> : IFieldCodec<T[]>, IDeepCopier<T[]>
    where T : unmanaged
{
    private static readonly int ElementSize = Unsafe.SizeOf<T>();

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, T[]? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(T[]), WireType.LengthPrefixed);
        var bytes = MemoryMarshal.AsBytes(value!.AsSpan());
        writer.WriteVarUInt32((uint)(bytes.Length + 4));
        writer.WriteInt32(ElementSize);
        writer.Write(bytes);
    }

    public T[] ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<T[], TInput>(ref reader, field)!;
        }
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        var elementSize = reader.ReadInt32();
        if (elementSize != ElementSize || length < 4 || (length - 4) % ElementSize != 0)
        {
            throw new InvalidOperationException($"A {typeof(T).Name}[] on the wire has {elementSize}-byte elements in {length} bytes; this build's are {ElementSize} bytes.");
        }
        var result = new T[(length - 4) / ElementSize];
        reader.ReadBytes(MemoryMarshal.AsBytes(result.AsSpan()));
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }

    public T[]? DeepCopy(T[]? input, CopyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input is null)
        {
            return null;
        }
        if (context.TryGetCopy<T[]>(input, out var result))
        {
            return result!;
        }
        result = (T[])input.Clone();
        context.RecordCopy(input, result);
        return result;
    }
}
