using System.Buffers;
using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Runtime.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// A client of the cluster: grain references whose calls go, over one authenticated connection
/// with a client identity, to a gateway silo, which routes them like its own calls. Grains cannot
/// call back into a client.
/// </summary>
public sealed class ClusterClient : IGrainFactory, IAsyncDisposable
{
    private readonly ClusterClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly GrainCallDispatcher _dispatcher;
    private readonly Invocation.GrainFactory _factory;
    private readonly ResponseTimeoutSweeper _sweeper;
    private readonly PeerIdentity _identity = PeerIdentity.NewClient();
    private readonly Processor _processor;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private List<RemoteSilo> _gateways = [];
    private Task _refreshLoop = Task.CompletedTask;
    private int _next;

    private ClusterClient(ClusterClientOptions options, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = loggers.CreateLogger("MigrationCluster.Client");
        var types = new GrainTypeRegistry();
        foreach (var assembly in options.GrainAssemblies)
        {
            types.AddAssembly(assembly);
        }
        _dispatcher = new GrainCallDispatcher(timeProvider, options.Messaging);
        _factory = new Invocation.GrainFactory(types, () => _dispatcher);
        _dispatcher.GrainFactory = _factory;
        _dispatcher.SetRouter(new Router(this));
        _processor = new Processor(_logger);
        _sweeper = new ResponseTimeoutSweeper(timeProvider, options.Messaging.ResponseTimeoutCheckPeriod, _dispatcher.TimeoutOf);
        _sweeper.AddSource((now, expired) =>
        {
            foreach (var gateway in Volatile.Read(ref _gateways))
            {
                gateway.CollectExpired(now, expired);
            }
        });
    }

    /// <summary>The gateways this client currently spreads its calls over.</summary>
    public IReadOnlyList<SiloAddress> Gateways => [.. Volatile.Read(ref _gateways).Where(g => !g.IsDead).Select(g => g.Address)];

    /// <summary>Reads the gateways (active silos) and connects to one; throws <see cref="SiloUnavailableException"/> when none answers.</summary>
    public static async Task<ClusterClient> ConnectAsync(ClusterClientOptions options, ILoggerFactory? loggers = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var client = new ClusterClient(options, timeProvider ?? TimeProvider.System, loggers ?? NullLoggerFactory.Instance);
        try
        {
            await client.RefreshGatewaysAsync().ConfigureAwait(false);
            await client.CheckConnectedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (options.MembershipTable is not null)
        {
            client._refreshLoop = Task.Run(client.RefreshLoopAsync);
        }
        return client;
    }

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey => _factory.GetGrain<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey => _factory.GetGrain<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey => _factory.GetGrain<TGrainInterface>(primaryKey);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain => _factory.GetGrain<TGrainInterface>(grainId);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _refreshLoop.ConfigureAwait(false);
        foreach (var gateway in Volatile.Read(ref _gateways))
        {
            gateway.MarkDead("the client was disposed");
        }
        _sweeper.Dispose();
        _stopping.Dispose();
    }

    private async Task CheckConnectedAsync(CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var gateway in Volatile.Read(ref _gateways))
        {
            try
            {
                await gateway.SendControlAsync(MessageKind.Ping, null, _options.Networking.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException)
            {
                last = exception;
            }
        }
        throw new SiloUnavailableException($"No gateway of cluster '{_options.Networking.ClusterId}' answered: {last?.Message ?? "there are no active silos"}", last);
    }

    private async Task RefreshGatewaysAsync()
    {
        var addresses = new List<SiloAddress>(_options.Gateways);
        if (_options.MembershipTable is { } table)
        {
            var data = await table.ReadAll().ConfigureAwait(false);
            addresses.AddRange(data.Members.Where(m => m.Entry.Status == SiloStatus.Active).Select(m => m.Entry.SiloAddress));
        }
        lock (_lock)
        {
            var current = _gateways;
            var next = new List<RemoteSilo>();
            foreach (var address in addresses.Distinct())
            {
                next.Add(current.FirstOrDefault(g => g.Address.Equals(address) && !g.IsDead)
                    ?? new RemoteSilo(address, _identity, _options.Networking, _processor, _logger, _timeProvider) { RedirectUnsent = Redirect });
            }
            foreach (var gone in current.Where(g => !next.Contains(g)))
            {
                gone.MarkDead("it is no longer an active silo");
            }
            Volatile.Write(ref _gateways, next);
        }
    }

    private async Task RefreshLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.GatewayRefreshPeriod, _timeProvider, _stopping.Token).ConfigureAwait(false);
                await RefreshGatewaysAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _logger.LogWarning("Reading the gateways failed: {Reason}", exception.Message);
            }
        }
    }

    private void Send(Request request)
    {
        if (Pick(request) is { } gateway)
        {
            gateway.SendRequest(request);
            return;
        }
        request.Fail(new SiloUnavailableException($"No gateway of cluster '{_options.Networking.ClusterId}' is available for {request}."));
    }

    /// <summary>Round-robin over the gateways not known dead, preferring ones whose last connection did not fail.</summary>
    private RemoteSilo? Pick(Request request)
    {
        var gateways = Volatile.Read(ref _gateways);
        RemoteSilo? suspect = null;
        for (var i = 0; i < gateways.Count; i++)
        {
            var gateway = gateways[(int)((uint)Interlocked.Increment(ref _next) % (uint)gateways.Count)];
            if (gateway.IsDead)
            {
                continue;
            }
            if (!gateway.IsSuspect)
            {
                return gateway;
            }
            suspect ??= gateway;
        }
        return suspect;
    }

    /// <summary>A gateway could not be reached: the call goes to another one if there is one that has not failed.</summary>
    private bool Redirect(Request request)
    {
        foreach (var gateway in Volatile.Read(ref _gateways))
        {
            if (!gateway.IsDead && !gateway.IsSuspect)
            {
                gateway.SendRequest(request);
                return true;
            }
        }
        return false;
    }

    private sealed class Router(ClusterClient client) : IRequestRouter
    {
        public void Route(Request request, GrainReference? via) => client.Send(request);
    }

    /// <summary>What a gateway sends a client: answers to its calls.</summary>
    private sealed class Processor(ILogger logger) : IClusterFrameProcessor
    {
        public void Process(Connection connection, ReadOnlySequence<byte> payload, PendingCalls? pending)
        {
            var reader = new WireReader(payload.IsSingleSegment ? payload.First : payload.ToArray());
            MessageKind kind;
            long correlationId;
            try
            {
                (kind, correlationId) = MessageCodec.ReadHeader(reader);
            }
            catch (WireFormatException exception)
            {
                logger.LogWarning("Closing connection to {Peer}: unreadable message ({Reason})", connection.RemoteIdentity, exception.Message);
                connection.Close();
                return;
            }
            if (pending is null)
            {
                return;
            }
            switch (kind)
            {
                case MessageKind.Response when pending.TryTake(correlationId, out var request):
                    try
                    {
                        request.CompleteFromWire(reader);
                    }
                    catch (Exception exception) when (exception is WireFormatException or NotSupportedException or System.Text.Json.JsonException)
                    {
                        request.Fail(exception);
                    }
                    break;
                case MessageKind.ExceptionResponse when pending.TryTake(correlationId, out var request):
                    request.Fail(MessageCodec.ReadException(reader));
                    break;
                case MessageKind.Rejection when pending.TryTake(correlationId, out var request):
                    request.Fail(new SiloUnavailableException($"Silo {connection.RemoteIdentity} rejected the call: {reader.ReadString()}"));
                    break;
                case MessageKind.Pong:
                    pending.CompleteControl(correlationId, reader.ReadBytes(reader.Remaining).ToArray());
                    break;
                default:
                    break;
            }
        }
    }
}
