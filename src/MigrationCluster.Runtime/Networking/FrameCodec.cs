using System.Buffers;
using System.Buffers.Binary;

namespace MigrationCluster.Runtime.Networking;

/// <summary>The wire framing: a 4-byte little-endian payload length, then the payload.</summary>
internal static class FrameCodec
{
    public const int LengthPrefixSize = 4;

    /// <summary>
    /// Takes one whole frame off the front of <paramref name="buffer"/>. False when the frame is
    /// not complete yet; throws when its length is over <paramref name="maxFrameSize"/>, before
    /// waiting for (or allocating) any of it.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < LengthPrefixSize)
        {
            return false;
        }

        uint length;
        if (buffer.FirstSpan.Length >= LengthPrefixSize)
        {
            length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.FirstSpan);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[LengthPrefixSize];
            buffer.Slice(0, LengthPrefixSize).CopyTo(prefix);
            length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        }

        if (length > (uint)maxFrameSize)
        {
            throw new NetworkProtocolException($"frame of {length} bytes is over the limit of {maxFrameSize} bytes");
        }

        if (buffer.Length - LengthPrefixSize < length)
        {
            return false;
        }

        payload = buffer.Slice(LengthPrefixSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Writes one frame whose payload is <paramref name="header"/> followed by <paramref name="body"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var length = header.Length + body.Length;
        var span = writer.GetSpan(LengthPrefixSize + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        header.CopyTo(span[LengthPrefixSize..]);
        body.CopyTo(span[(LengthPrefixSize + header.Length)..]);
        writer.Advance(LengthPrefixSize + length);
    }
}
