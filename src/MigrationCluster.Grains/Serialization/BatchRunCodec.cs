using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace MigrationCluster.Grains.Serialization;

/// <summary>
/// <see cref="BatchRun"/> on the wire: only the window's page descriptors, as one block of bytes
/// (read back as a window on a fresh array of exactly those pages). Its copy is the window
/// itself: a local call hands the owner the coordinator's pages by reference, which is the point.
/// </summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class BatchRunCodec : IFieldCodec<BatchRun>, IDeepCopier<BatchRun>
{
    private static readonly int ElementSize = Unsafe.SizeOf<MigrationPage>();

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, BatchRun value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(BatchRun), WireType.LengthPrefixed);
        var bytes = MemoryMarshal.AsBytes(value.Span);
        writer.WriteVarUInt32((uint)(bytes.Length + 4));
        writer.WriteInt32(ElementSize);
        writer.Write(bytes);
    }

    public BatchRun ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        var elementSize = reader.ReadInt32();
        if (elementSize != ElementSize || length < 4 || (length - 4) % ElementSize != 0)
        {
            throw new InvalidOperationException($"A batch run on the wire has {elementSize}-byte pages in {length} bytes; this build's are {ElementSize} bytes.");
        }
        var pages = new MigrationPage[(length - 4) / ElementSize];
        reader.ReadBytes(MemoryMarshal.AsBytes(pages.AsSpan()));
        return BatchRun.Of(pages);
    }

    public BatchRun DeepCopy(BatchRun input, CopyContext context) => input;
}
