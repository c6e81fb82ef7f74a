using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace MigrationCluster.Grains.Serialization;

/// <summary><see cref="PteBatch"/>'s window as one block of bytes; its copy is itself (nobody changes a list of PTEs once made).</summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class PteBatchCodec : IFieldCodec<PteBatch>, IDeepCopier<PteBatch>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PteBatch value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(PteBatch), WireType.TagDelimited);
        // A window on a larger array (a local hand-over's shape) travels as just its PTEs.
        BlittableArrays.Write(ref writer, 0, typeof(MigrationPte[]), value.IsWholeArray ? value.Array : value.Ptes.ToArray());
        writer.WriteEndObject();
    }

    public PteBatch ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        field.EnsureWireTypeTagDelimited();
        var ptes = Array.Empty<MigrationPte>();
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.IsEndBaseOrEndObject)
            {
                break;
            }
            if (header.FieldIdDelta == 0)
            {
                ptes = BlittableArrays.Read<MigrationPte, TInput>(ref reader, header);
            }
            else
            {
                reader.ConsumeUnknownField(header);
            }
        }
        return new PteBatch(ptes);
    }

    public PteBatch DeepCopy(PteBatch input, CopyContext context) => input;
}
