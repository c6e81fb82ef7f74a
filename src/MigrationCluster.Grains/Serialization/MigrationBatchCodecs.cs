using MigrationCluster.Memory.Migration;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace MigrationCluster.Grains.Serialization;

/// <summary>Page descriptors as one block of bytes; a copy is a memory copy.</summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class MigrationPageArrayCodec : IFieldCodec<MigrationPage[]>, IDeepCopier<MigrationPage[]>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, MigrationPage[]? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte> => BlittableArrays.Write(ref writer, fieldIdDelta, expectedType, value);

    public MigrationPage[] ReadValue<TInput>(ref Reader<TInput> reader, Field field) => BlittableArrays.Read<MigrationPage, TInput>(ref reader, field);

    public MigrationPage[]? DeepCopy(MigrationPage[]? input, CopyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input is null)
        {
            return null;
        }
        if (context.TryGetCopy<MigrationPage[]>(input, out var result))
        {
            return result;
        }
        result = (MigrationPage[])input.Clone();
        context.RecordCopy(input, result);
        return result;
    }
}

/// <summary>
/// The PTEs of a batch (those that map its pages, those try_to_unmap converted), as one block of
/// bytes. Within a silo they are handed over as they are: a list of PTEs is a set of facts that
/// nobody changes once it is made (every step builds its own), so a copy would protect nothing.
/// </summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class MigrationPteArrayCodec : IFieldCodec<MigrationPte[]>, IDeepCopier<MigrationPte[]>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, MigrationPte[]? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte> => BlittableArrays.Write(ref writer, fieldIdDelta, expectedType, value);

    public MigrationPte[] ReadValue<TInput>(ref Reader<TInput> reader, Field field) => BlittableArrays.Read<MigrationPte, TInput>(ref reader, field);

    public MigrationPte[]? DeepCopy(MigrationPte[]? input, CopyContext context) => input;
}
