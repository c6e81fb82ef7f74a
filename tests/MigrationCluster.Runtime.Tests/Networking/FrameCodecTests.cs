using System.Buffers;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

public sealed class FrameCodecTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    public void Frames_are_read_back_whatever_the_segment_boundaries(int segmentSize)
    {
        var writer = new ArrayBufferWriter<byte>();
        var payloads = Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, i * 3).Select(b => (byte)(b + i)).ToArray()).ToList();
        foreach (var payload in payloads)
        {
            FrameCodec.WriteFrame(writer, payload.AsSpan(0, payload.Length / 2), payload.AsSpan(payload.Length / 2));
        }

        var buffer = Chunked(writer.WrittenMemory.ToArray(), segmentSize);
        var read = new List<byte[]>();
        while (FrameCodec.TryReadFrame(ref buffer, 1024, out var frame))
        {
            read.Add(frame.ToArray());
        }

        Assert.True(buffer.IsEmpty);
        Assert.Equal(payloads, read);
    }

    [Fact]
    public void An_incomplete_frame_waits_and_an_oversized_one_throws()
    {
        var incomplete = new ReadOnlySequence<byte>(new byte[] { 10, 0, 0, 0, 1, 2 });
        Assert.False(FrameCodec.TryReadFrame(ref incomplete, 1024, out _));
        Assert.Equal(6, incomplete.Length);

        var oversized = new ReadOnlySequence<byte>(new byte[] { 1, 4, 0, 0 });
        Assert.Throws<NetworkProtocolException>(() => FrameCodec.TryReadFrame(ref oversized, 1024, out _));
    }

    private static ReadOnlySequence<byte> Chunked(byte[] bytes, int segmentSize)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var segment = new Segment(bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset)), last);
            first ??= segment;
            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
