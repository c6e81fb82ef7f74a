using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Runtime.Serialization;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// This process's link to one other silo: one outgoing connection (opened on first use, opened
/// again after a break unless the silo is dead), multiplexing every call to that silo, and the
/// calls waiting on it. A break fails those calls at once with <see cref="SiloUnavailableException"/>.
/// </summary>
internal sealed class RemoteSilo : IFrameHandler
{
    private readonly PeerIdentity _localIdentity;
    private readonly NetworkingOptions _options;
    private readonly IClusterFrameProcessor _inbound;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly object _gate = new();
    private Task<Connection>? _connecting;
    private Connection? _connection;
    private PendingCalls _pending = new();
    private string? _deadReason;

    public RemoteSilo(SiloAddress address, PeerIdentity localIdentity, NetworkingOptions options, IClusterFrameProcessor inbound, ILogger logger, TimeProvider timeProvider)
    {
        Address = address;
        _localIdentity = localIdentity;
        _options = options;
        _inbound = inbound;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public SiloAddress Address { get; }

    public bool IsDead => Volatile.Read(ref _deadReason) is not null;

    /// <summary>The last connection attempt failed, or the connection broke, and none succeeded since.</summary>
    public bool IsSuspect { get; private set; }

    /// <summary>
    /// Asked when a request could not even be sent (no connection): true when the owner sent it
    /// another way (a client trying its next gateway), so it is not failed here.
    /// </summary>
    public Func<Request, bool>? RedirectUnsent { get; set; }

    /// <summary>Sends a grain request; its response (or failure) reaches the request's sink.</summary>
    public void SendRequest(Request request)
    {
        if (Volatile.Read(ref _deadReason) is { } dead)
        {
            request.Fail(new SiloUnavailableException(Address, dead));
            return;
        }
        var connection = Volatile.Read(ref _connection);
        if (connection is not null && connection.IsConnected)
        {
            SendRequest(connection, request);
            return;
        }
        _ = SendRequestWhenConnectedAsync(request);
    }

    private async Task SendRequestWhenConnectedAsync(Request request)
    {
        Connection connection;
        try
        {
            connection = await GetConnectionAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            if (RedirectUnsent?.Invoke(request) != true)
            {
                request.Fail(exception as SiloUnavailableException ?? new SiloUnavailableException(Address, exception.Message, exception));
            }
            return;
        }
        SendRequest(connection, request);
    }

    private void SendRequest(Connection connection, Request request)
    {
        var correlationId = PendingCalls.NextCorrelationId();
        request.CorrelationId = correlationId;
        var oneWay = request.Method.IsOneWay;
        var pending = Volatile.Read(ref _pending);
        if (!oneWay && !pending.TryAdd(correlationId, request))
        {
            return;
        }
        var writer = FrameWriter.Rent();
        try
        {
            MessageCodec.WriteRequest(writer, request, _timeProvider.GetTimestamp(), _timeProvider.TimestampFrequency);
            connection.Send(writer.WrittenSpan);
            if (!oneWay && request.CancellationToken.CanBeCanceled && RemoteCancellation.TakesToken(request.Method))
            {
                pending.ForwardCancellation(correlationId, request.CancellationToken.UnsafeRegister(
                    static state => RemoteCancellation.SendCancel(((Tuple<Connection, long>)state!).Item1, ((Tuple<Connection, long>)state!).Item2),
                    Tuple.Create(connection, correlationId)));
            }
        }
        catch (ConnectionClosedException exception)
        {
            pending.Remove(correlationId);
            request.Fail(new SiloUnavailableException(Address, "the connection closed", exception));
        }
        catch (Exception exception) when (exception is ArgumentException or WireFormatException or NotSupportedException or InvalidOperationException)
        {
            pending.Remove(correlationId);
            request.Fail(exception);
        }
    }

    /// <summary>Sends a control message and waits for its answer's body.</summary>
    public async Task<byte[]> SendControlAsync(MessageKind kind, Action<WireWriter>? writeBody, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _deadReason) is { } dead)
        {
            throw new SiloUnavailableException(Address, dead);
        }
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        Connection connection;
        try
        {
            connection = await GetConnectionAsync().WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SiloUnavailableException(Address, $"no connection within {timeout}");
        }
        var correlationId = PendingCalls.NextCorrelationId();
        var pending = Volatile.Read(ref _pending);
        var answer = pending.AddControl(correlationId);
        try
        {
            var writer = FrameWriter.Rent();
            MessageCodec.WriteControl(writer, kind, correlationId);
            writeBody?.Invoke(writer);
            connection.Send(writer.WrittenSpan);
            return await answer.WaitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (ConnectionClosedException exception)
        {
            throw new SiloUnavailableException(Address, "the connection closed", exception);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{kind} to silo {Address} had no answer within {timeout}.");
        }
        finally
        {
            pending.RemoveControl(correlationId);
        }
    }

    /// <summary>Connects if needed and sends a message that needs no answer; failures are ignored (the table is the truth).</summary>
    public async Task NotifyAsync(MessageKind kind)
    {
        try
        {
            var connection = await GetConnectionAsync().ConfigureAwait(false);
            var writer = FrameWriter.Rent();
            MessageCodec.WriteControl(writer, kind, 0);
            connection.Send(writer.WrittenSpan);
        }
        catch (Exception exception) when (exception is SiloUnavailableException or ConnectionClosedException)
        {
            _logger.LogDebug("{Kind} to {Silo} not sent: {Reason}", kind, Address, exception.Message);
        }
    }

    public void CollectExpired(long now, List<Request> expired) => Volatile.Read(ref _pending).CollectExpired(now, expired);

    /// <summary>The silo is declared dead (or this one is stopping): fail everything and never connect again.</summary>
    public void MarkDead(string reason)
    {
        Connection? connection;
        lock (_gate)
        {
            if (_deadReason is not null)
            {
                return;
            }
            Volatile.Write(ref _deadReason, reason);
            connection = _connection;
            _connection = null;
            _connecting = null;
        }
        _pending.FailAll(() => new SiloUnavailableException(Address, reason));
        connection?.Close();
    }

    /// <summary>Cuts the connection without telling anyone (a killed silo).</summary>
    public void Abort()
    {
        Connection? connection;
        lock (_gate)
        {
            _deadReason ??= "this silo was killed";
            connection = _connection;
            _connection = null;
        }
        connection?.Close();
    }

    private Task<Connection> GetConnectionAsync()
    {
        lock (_gate)
        {
            if (_deadReason is not null)
            {
                return Task.FromException<Connection>(new SiloUnavailableException(Address, _deadReason));
            }
            if (_connection is { IsConnected: true } connection)
            {
                return Task.FromResult(connection);
            }
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled || (_connecting.IsCompletedSuccessfully && !_connecting.Result.IsConnected))
            {
                _connecting = ConnectAsync();
            }
            return _connecting;
        }
    }

    private async Task<Connection> ConnectAsync()
    {
        Connection connection;
        try
        {
            connection = await Connection.ConnectAsync(Address.Endpoint, _localIdentity, _options, this, _logger, _timeProvider).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            IsSuspect = true;
            throw new SiloUnavailableException(Address, $"cannot connect: {exception.Message}", exception);
        }
        if (connection.RemoteIdentity.Silo != Address)
        {
            // Another generation now listens on that endpoint: the silo we wanted is gone.
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new SiloUnavailableException(Address, $"{connection.RemoteIdentity} answers at its endpoint now");
        }
        lock (_gate)
        {
            if (_deadReason is not null)
            {
                connection.Close();
                throw new SiloUnavailableException(Address, _deadReason);
            }
            _connection = connection;
            IsSuspect = false;
        }
        return connection;
    }

    void IFrameHandler.OnFrame(Connection connection, System.Buffers.ReadOnlySequence<byte> payload) => _inbound.Process(connection, payload, Volatile.Read(ref _pending));

    void IFrameHandler.OnClosed(Connection connection, Exception? reason)
    {
        PendingCalls broken;
        lock (_gate)
        {
            if (_connection == connection)
            {
                _connection = null;
                IsSuspect = reason is not null;
            }
            // Calls in flight on this connection fail now; later calls get a fresh table (and connection).
            broken = _pending;
            _pending = new PendingCalls();
        }
        var why = reason?.Message ?? "the connection was closed";
        broken.FailAll(() => new SiloUnavailableException(Address, $"connection lost while the call was in flight ({why})"));
    }
}
