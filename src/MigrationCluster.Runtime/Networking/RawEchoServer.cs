using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// The floor for transport benchmarks: the thinnest multiplexed request/response over the same
/// framing, with no handshake, no codec and no scheduler. It echoes every frame back as it is
/// (frames are <c>[u64 correlation id][payload]</c>, which it does not look into), one flush per
/// batch of frames read.
/// </summary>
public sealed class RawEchoServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();

    private RawEchoServer(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Starts an echo server on <paramref name="endpoint"/> (port 0: any free port).</summary>
    public static RawEchoServer Start(IPEndPoint endpoint, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RawEchoServer(socket, logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The entry for a separate benchmark process: serves on 127.0.0.1:<paramref name="port"/> until
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static Task RunAsync(int port, CancellationToken cancellationToken) =>
        RunAsync(new IPEndPoint(IPAddress.Loopback, port), _ => { }, cancellationToken);

    /// <summary>As <see cref="RunAsync(int, CancellationToken)"/>; <paramref name="onListening"/> gets the bound endpoint (e.g. to print the port chosen for port 0).</summary>
    public static async Task RunAsync(IPEndPoint endpoint, Action<IPEndPoint> onListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onListening);
        await using var server = Start(endpoint);
        onListening(server.LocalEndPoint);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            client.NoDelay = true;
            lock (_gate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(Task.Run(() => EchoAsync(client)));
            }
        }
    }

    private async Task EchoAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        using var registration = _stopping.Token.Register(() => client.Dispose());
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var echoed = false;
                while (FrameCodec.TryReadFrame(ref buffer, NetworkingOptions.DefaultMaxFrameSize, out var frame))
                {
                    if (frame.IsSingleSegment)
                    {
                        FrameCodec.WriteFrame(output, frame.FirstSpan, default);
                    }
                    else
                    {
                        FrameCodec.WriteFrame(output, frame.ToArray(), default);
                    }

                    echoed = true;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (echoed)
                {
                    await output.FlushAsync().ConfigureAwait(false);
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            // Whatever one connection does, it ends here: never an unobserved exception.
            if (!_stopping.IsCancellationRequested)
            {
                _logger.LogWarning("Echo connection from {Endpoint} ended: {Reason}", client.RemoteEndPoint, e.Message);
            }
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }
}
