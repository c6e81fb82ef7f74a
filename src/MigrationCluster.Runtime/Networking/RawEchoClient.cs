using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// The client side of the benchmark floor: <see cref="CallAsync"/> sends <c>[u64 correlation id][payload]</c>
/// and completes when the frame with that id comes back. Any number of callers at once share the
/// one connection (the same coalescing sender as <see cref="Connection"/>).
/// </summary>
public sealed class RawEchoClient : IAsyncDisposable
{
    private const int CorrelationIdSize = sizeof(ulong);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly CoalescingFrameSender _output;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<byte[]>> _pending = new();
    private readonly Task _readLoop;
    private long _nextId;
    private volatile Exception? _failure;

    private RawEchoClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _output = new CoalescingFrameSender(_stream, Fail);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public static async Task<RawEchoClient> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawEchoClient(socket);
    }

    /// <summary>Sends <paramref name="payload"/> and returns the echoed payload.</summary>
    public Task<byte[]> CallAsync(ReadOnlySpan<byte> payload)
    {
        if (_failure is { } failure)
        {
            return Task.FromException<byte[]>(new ConnectionClosedException("The echo connection is closed.", failure));
        }

        var id = (ulong)Interlocked.Increment(ref _nextId);
        // Completed off the read loop, so that a caller's continuation never stalls other replies.
        var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        Span<byte> header = stackalloc byte[CorrelationIdSize];
        BinaryPrimitives.WriteUInt64LittleEndian(header, id);
        if (!_output.TrySend(header, payload))
        {
            _pending.TryRemove(id, out _);
            return Task.FromException<byte[]>(new ConnectionClosedException("The echo connection is closed.", _failure));
        }

        return completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _output.Complete();
        await _output.Completion.ConfigureAwait(false);
        Fail(new ConnectionClosedException("The echo client was disposed."));
        await _readLoop.ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (FrameCodec.TryReadFrame(ref buffer, NetworkingOptions.DefaultMaxFrameSize, out var frame))
                {
                    Complete(frame);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Fail(new ConnectionClosedException("The echo server closed the connection."));
                    break;
                }
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }

        await _input.CompleteAsync().ConfigureAwait(false);
    }

    private void Complete(ReadOnlySequence<byte> frame)
    {
        if (frame.Length < CorrelationIdSize)
        {
            throw new NetworkProtocolException($"echo reply of {frame.Length} bytes has no correlation id");
        }

        Span<byte> header = stackalloc byte[CorrelationIdSize];
        frame.Slice(0, CorrelationIdSize).CopyTo(header);
        var id = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (_pending.TryRemove(id, out var completion))
        {
            completion.TrySetResult(frame.Slice(CorrelationIdSize).ToArray());
        }
    }

    private void Fail(Exception reason)
    {
        _failure ??= reason;
        _output.Abort();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _socket.Dispose();
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var completion))
            {
                completion.TrySetException(new ConnectionClosedException("The echo connection closed before the reply came.", reason));
            }
        }
    }
}
