using System.Buffers.Binary;
using System.Text;

namespace MigrationCluster.Runtime.Serialization;

/// <summary>Reads what <see cref="WireWriter"/> wrote; a short or malformed buffer throws <see cref="WireFormatException"/>.</summary>
public sealed class WireReader(ReadOnlyMemory<byte> buffer)
{
    private int _position;

    public int Position => _position;

    public int Remaining => buffer.Length - _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > buffer.Length - _position)
        {
            throw new WireFormatException($"Message truncated: wanted {count} bytes at offset {_position}, {buffer.Length - _position} left.");
        }
        var span = buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte ReadByte() => Take(1)[0];

    public bool ReadBoolean() => ReadByte() != 0;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public Guid ReadGuid() => new(Take(16));

    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }
        return Encoding.UTF8.GetString(Take(length));
    }
}
