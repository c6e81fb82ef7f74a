using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// One authenticated TCP connection carrying length-prefixed frames both ways. Any number of
/// threads may <see cref="Send(ReadOnlySpan{byte})"/> at once (one write loop coalesces their frames); one read loop
/// hands incoming frames to the <see cref="IFrameHandler"/>. A broken peer (oversized or
/// truncated frame, socket error) closes this connection only, with a log line.
/// </summary>
public sealed class Connection : IAsyncDisposable
{
    // How long a local close waits for queued frames to reach the socket before cutting it.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly CoalescingFrameSender _output;
    private readonly NetworkingOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IFrameHandler? _handler;
    private Task _readLoop = Task.CompletedTask;
    private Action<Connection>? _onClosedInternal;
    private Exception? _closeReason;
    private int _closing;

    internal Connection(Socket socket, PeerIdentity localIdentity, NetworkingOptions options, ILogger? logger, TimeProvider? timeProvider)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        LocalIdentity = localIdentity;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        _output = new CoalescingFrameSender(_stream, e => BeginClose(new ConnectionClosedException($"sending to {Describe()} failed: {e.Message}", e), drain: false));
    }

    public PeerIdentity LocalIdentity { get; }

    /// <summary>The authenticated peer (set by the handshake, before anyone outside sees the connection).</summary>
    public PeerIdentity RemoteIdentity { get; private set; } = null!;

    public IPEndPoint? RemoteEndPoint { get; }

    public bool IsConnected => Volatile.Read(ref _closing) == 0;

    /// <summary>Completes once the connection is closed and its handler has been told.</summary>
    public Task Completion => _closed.Task;

    /// <summary>
    /// Opens a connection to a listener, runs the handshake, and starts delivering frames to
    /// <paramref name="handler"/>. Throws <see cref="ConnectionRefusedException"/> when the peer is in
    /// another cluster, fails authentication, or does not answer within the handshake timeout.
    /// </summary>
    public static Task<Connection> ConnectAsync(
        IPEndPoint endpoint, PeerIdentity identity, NetworkingOptions options, IFrameHandler handler, CancellationToken cancellationToken = default) =>
        ConnectAsync(endpoint, identity, options, handler, null, null, cancellationToken);

    public static async Task<Connection> ConnectAsync(
        IPEndPoint endpoint,
        PeerIdentity identity,
        NetworkingOptions options,
        IFrameHandler handler,
        ILogger? logger,
        TimeProvider? timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;

        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Connection connection;
        try
        {
            using var timeout = new CancellationTokenSource(options.HandshakeTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await socket.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionRefusedException($"no TCP connection to {endpoint} within {options.HandshakeTimeout}");
            }

            connection = new Connection(socket, identity, options, logger, timeProvider);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        try
        {
            await connection.HandshakeAsync(isInitiator: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning("Connection to {Endpoint} refused: {Reason}", endpoint, e.Message);
            await connection.CloseAfterFailedHandshakeAsync().ConfigureAwait(false);
            throw;
        }

        connection.Start(handler);
        return connection;
    }

    /// <summary>Sends one frame. Thread-safe; returns once the frame is queued for the write loop.</summary>
    /// <exception cref="ConnectionClosedException">The connection is closed.</exception>
    public void Send(ReadOnlySpan<byte> payload) => Send(payload, default);

    /// <summary>Sends one frame whose payload is <paramref name="header"/> followed by <paramref name="body"/> (no concatenation needed).</summary>
    public void Send(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var length = (long)header.Length + body.Length;
        if (length > _options.MaxFrameSize)
        {
            throw new ArgumentException($"A frame of {length} bytes is over the limit of {_options.MaxFrameSize} bytes.", nameof(body));
        }

        if (!_output.TrySend(header, body))
        {
            throw new ConnectionClosedException($"The connection to {Describe()} is closed.", _closeReason);
        }
    }

    /// <summary>Starts closing: queued frames are still written (for a bounded time), then the socket is closed.</summary>
    public void Close() => BeginClose(null, drain: true);

    public async ValueTask DisposeAsync()
    {
        BeginClose(null, drain: true);
        await _closed.Task.ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);
    }

    public override string ToString() => $"Connection {LocalIdentity} -> {Describe()}";

    internal async Task HandshakeAsync(bool isInitiator, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.HandshakeTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            RemoteIdentity = await Handshake.RunAsync(_input, _output, LocalIdentity, _options, isInitiator, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ConnectionRefusedException($"no handshake from {RemoteEndPoint} within {_options.HandshakeTimeout}", e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && e is not ConnectionRefusedException)
        {
            throw new ConnectionRefusedException($"connection to {RemoteEndPoint} lost during the handshake: {e.Message}", e);
        }
    }

    /// <summary>Closes after a refused handshake, letting our last handshake frame reach the peer first.</summary>
    internal async Task CloseAfterFailedHandshakeAsync()
    {
        BeginClose(null, drain: true);
        await _closed.Task.ConfigureAwait(false);
    }

    internal void SetClosedCallback(Action<Connection> onClosed) => _onClosedInternal = onClosed;

    internal void Start(IFrameHandler handler)
    {
        _handler = handler;
        _readLoop = Task.Run(ReadLoopAsync);
    }

    private async Task ReadLoopAsync()
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                // What the handlers send back on this connection during the batch leaves in one write.
                _output.Cork();
                try
                {
                    while (FrameCodec.TryReadFrame(ref buffer, _options.MaxFrameSize, out var payload))
                    {
                        Deliver(payload);
                    }
                }
                finally
                {
                    _output.Uncork();
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    reason = buffer.IsEmpty
                        ? new ConnectionClosedException($"{Describe()} closed the connection")
                        : new NetworkProtocolException($"truncated frame: {Describe()} closed the connection in the middle of a frame ({buffer.Length} bytes of an unfinished frame)");
                    break;
                }
            }
        }
        catch (Exception) when (Volatile.Read(ref _closing) != 0)
        {
            // Closed locally: the read was cut off on purpose.
        }
        catch (Exception e)
        {
            reason = e;
        }

        if (reason is not null)
        {
            BeginClose(reason, drain: false);
        }

        await _input.CompleteAsync().ConfigureAwait(false);
    }

    private void Deliver(System.Buffers.ReadOnlySequence<byte> payload)
    {
        try
        {
            _handler!.OnFrame(this, payload);
        }
        catch (Exception e)
        {
            // A handler bug must not tear down a link that many calls share.
            _logger.LogError(e, "Frame handler failed on a frame from {Peer}", Describe());
        }
    }

    private void BeginClose(Exception? reason, bool drain)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closeReason = reason;
        _ = CloseCoreAsync(reason, drain);
    }

    private async Task CloseCoreAsync(Exception? reason, bool drain)
    {
        try
        {
            if (reason is ConnectionClosedException)
            {
                _logger.LogInformation("Connection to {Peer} closed: {Reason}", Describe(), reason.Message);
            }
            else if (reason is not null)
            {
                _logger.LogWarning("Closing connection to {Peer} at {Endpoint}: {Reason}", Describe(), RemoteEndPoint, reason.Message);
            }

            if (drain)
            {
                _output.Complete();
                await Task.WhenAny(_output.Completion, Task.Delay(DrainTimeout, _timeProvider)).ConfigureAwait(false);
            }

            _output.Abort();
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already reset by the peer.
            }

            _socket.Dispose();
            await _output.Completion.ConfigureAwait(false);
            if (_handler is { } handler)
            {
                try
                {
                    handler.OnClosed(this, reason);
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Frame handler failed in OnClosed for {Peer}", Describe());
                }
            }

            _onClosedInternal?.Invoke(this);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Closing connection to {Peer} failed", Describe());
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private string Describe() => RemoteIdentity?.ToString() ?? RemoteEndPoint?.ToString() ?? "unknown peer";
}
