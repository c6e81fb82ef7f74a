using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// Accepts TCP connections, runs the handshake on each, and hands the authenticated ones to a
/// callback that returns their frame handler. A peer that fails the handshake (wrong cluster,
/// wrong key, garbage, too slow) is logged and closed; everyone else is served as before.
/// </summary>
public sealed class ConnectionListener : IAsyncDisposable
{
    private readonly NetworkingOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly ConcurrentDictionary<Task, byte> _handshakes = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private PeerIdentity? _localIdentity;
    private Func<Connection, IFrameHandler>? _onConnection;
    private int _disposed;

    public ConnectionListener(NetworkingOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Where the listener is bound (after <see cref="Bind"/>), with the real port when port 0 was asked for.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <summary>The authenticated connections that are still open.</summary>
    public IReadOnlyCollection<Connection> Connections => [.. _connections.Keys];

    /// <summary>
    /// Binds and listens on the configured address and port, without accepting yet, so that a
    /// silo can learn its port (and build its <c>SiloAddress</c>) before it starts accepting.
    /// </summary>
    public IPEndPoint Bind()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_socket is not null)
        {
            throw new InvalidOperationException("The listener is already bound.");
        }

        var endpoint = _options.GetListenEndPoint();
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

        _socket = socket;
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>
    /// Starts accepting (binding first if needed). <paramref name="onConnection"/> is called once per
    /// authenticated connection, before any of its frames is delivered, and returns its handler.
    /// </summary>
    public void Start(PeerIdentity localIdentity, Func<Connection, IFrameHandler> onConnection)
    {
        ArgumentNullException.ThrowIfNull(localIdentity);
        ArgumentNullException.ThrowIfNull(onConnection);
        if (_onConnection is not null)
        {
            throw new InvalidOperationException("The listener is already started.");
        }

        if (_socket is null)
        {
            Bind();
        }

        _localIdentity = localIdentity;
        _onConnection = onConnection;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _logger.LogInformation("Listening on {Endpoint} as {Identity} ({Options})", LocalEndPoint, localIdentity, _options);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_handshakes.Keys).ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e)
            {
                // E.g. out of file descriptors: keep the listener, and do not spin.
                _logger.LogWarning("Accepting a connection on {Endpoint} failed: {Reason}", LocalEndPoint, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100), _timeProvider).ConfigureAwait(false);
                continue;
            }

            var handshake = AcceptOneAsync(accepted);
            _handshakes.TryAdd(handshake, 0);
            _ = handshake.ContinueWith(
                (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
                _handshakes,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Never throws: everything that goes wrong with one peer stays with that peer.</summary>
    private async Task AcceptOneAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint;
        Connection connection;
        try
        {
            connection = new Connection(socket, _localIdentity!, _options, _logger, _timeProvider);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Dropping connection from {Endpoint}: {Reason}", remote, e.Message);
            socket.Dispose();
            return;
        }

        try
        {
            await connection.HandshakeAsync(isInitiator: false, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _logger.LogWarning("Refused connection from {Endpoint}: {Reason}", remote, e.Message);
            }

            await connection.CloseAfterFailedHandshakeAsync().ConfigureAwait(false);
            return;
        }

        IFrameHandler handler;
        try
        {
            handler = _onConnection!(connection);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The connection callback failed for {Peer} at {Endpoint}; closing the connection", connection.RemoteIdentity, remote);
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        connection.SetClosedCallback(c => _connections.TryRemove(c, out _));
        _connections.TryAdd(connection, 0);
        if (_stopping.IsCancellationRequested || !connection.IsConnected)
        {
            _connections.TryRemove(connection, out _);
            await connection.DisposeAsync().ConfigureAwait(false);
            return;
        }

        _logger.LogInformation("Accepted connection from {Peer} at {Endpoint}", connection.RemoteIdentity, remote);
        connection.Start(handler);
    }
}
