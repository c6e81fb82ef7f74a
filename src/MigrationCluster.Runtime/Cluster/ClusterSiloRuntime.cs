using System.Buffers;
using System.Collections.Concurrent;
using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.GrainDirectory;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Runtime.Placement;
using MigrationCluster.Runtime.Serialization;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// A silo's cluster side: the listener (silos and clients), the links to other silos, the
/// membership agent, the grain directory, and request routing. A call to a grain whose
/// activation is known to be here costs a cache lookup plus the local dispatch; everything else
/// goes through the directory and, if elsewhere, over the wire.
/// </summary>
internal sealed class ClusterSiloRuntime : IRequestRouter, IClusterFrameProcessor, IAsyncDisposable
{
    private readonly Catalog.Catalog _catalog;
    private readonly GrainTypeRegistry _types;
    private readonly IGrainFactory _grainFactory;
    private readonly ClusterOptions _options;
    private readonly string _siloName;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConnectionListener _listener;
    private readonly ConcurrentDictionary<SiloAddress, RemoteSilo> _peers = new();
    private readonly ConcurrentDictionary<SiloAddress, int> _activationCounts = new();
    private readonly PlacementDirector _placement;
    private readonly RemoteCancellation _cancellation = new();
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PeerIdentity _identity = null!;
    private MembershipAgent _agent = null!;
    private DistributedGrainDirectory _directory = null!;
    private SiloAddress _self = null!;
    private volatile bool _stopping;

    public ClusterSiloRuntime(Catalog.Catalog catalog, GrainTypeRegistry types, IGrainFactory grainFactory, ClusterOptions options, string clusterId, string siloName, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        _catalog = catalog;
        _types = types;
        _grainFactory = grainFactory;
        _options = options;
        _siloName = siloName;
        _timeProvider = timeProvider;
        _logger = loggers.CreateLogger("MigrationCluster.Cluster");
        if (string.IsNullOrWhiteSpace(options.Networking.ClusterId))
        {
            options.Networking.ClusterId = clusterId;
        }
        options.Validate();
        _placement = new PlacementDirector(types, options.PlacementOverrides);
        _listener = new ConnectionListener(options.Networking, loggers.CreateLogger("MigrationCluster.Networking"), timeProvider);
        catalog.ActivationRemoved = OnActivationRemoved;
    }

    public SiloAddress SiloAddress => _self;

    public ClusterView View => _agent?.View ?? ClusterView.Empty;

    /// <summary>Completes when this silo stops serving: stopped, killed, or declared dead by the others.</summary>
    public Task Terminated => _terminated.Task;

    /// <summary>Set when this silo read itself Dead (the silo then stops).</summary>
    public event Action? DeclaredDead;

    /// <summary>Completes when this silo has handed over directory entries after the membership changes it has seen.</summary>
    public Task DirectoryHandoffs => _directory?.Handoffs ?? Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = _listener.Bind();
        _self = new SiloAddress(endpoint, SiloAddress.AllocateGeneration(_timeProvider));
        _identity = PeerIdentity.ForSilo(_self);
        _directory = new DistributedGrainDirectory(_self, _placement, GetPeer, SnapshotActivationCounts, _options.DirectoryOperationTimeout, _timeProvider, _logger);
        _agent = new MembershipAgent(_options.MembershipTable!, _options.Membership, _self, _siloName, ProbeAsync, _timeProvider, _logger);
        _agent.ViewChanged += OnViewChanged;
        // Gossip: whoever changes the table tells the others to read it now, instead of at their next refresh.
        _agent.TableWritten += () =>
        {
            foreach (var silo in _agent.View.Statuses.Where(s => s.Value is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown).Select(s => s.Key))
            {
                if (!silo.Equals(_self))
                {
                    _ = GetPeer(silo).NotifyAsync(MessageKind.MembershipChanged);
                }
            }
        };
        _agent.DeclaredDead += () => DeclaredDead?.Invoke();
        _listener.Start(_identity, connection => new InboundConnection(this));
        await _agent.JoinAsync(cancellationToken).ConfigureAwait(false);
        // The Active write happened before this silo had a view to gossip to: announce it now.
        foreach (var silo in _agent.View.ActiveSilos.Where(s => !s.Equals(_self)))
        {
            _ = GetPeer(silo).NotifyAsync(MessageKind.MembershipChanged);
        }
    }

    /// <summary>Graceful stop, step one: ShuttingDown in the table (new grains go elsewhere).</summary>
    public Task BeginShutdownAsync(CancellationToken cancellationToken) => _agent.BeginShutdownAsync(cancellationToken);

    /// <summary>Graceful stop, last step: Dead in the table, connections closed.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        try
        {
            await _agent.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await CloseTransportAsync().ConfigureAwait(false);
            _terminated.TrySetResult();
        }
    }

    /// <summary>A crash: sockets cut, no more probes or heartbeats, nothing written to the table.</summary>
    public async Task KillAsync()
    {
        _stopping = true;
        await _agent.StopLoopsAsync().ConfigureAwait(false);
        foreach (var peer in _peers.Values)
        {
            peer.Abort();
        }
        await _listener.DisposeAsync().ConfigureAwait(false);
        _terminated.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }
        await CloseTransportAsync().ConfigureAwait(false);
        _terminated.TrySetResult();
    }

    private async Task CloseTransportAsync()
    {
        foreach (var peer in _peers.Values)
        {
            peer.MarkDead("this silo stopped");
        }
        await _listener.DisposeAsync().ConfigureAwait(false);
    }

    public void CollectExpired(long now, List<Request> expired)
    {
        foreach (var peer in _peers.Values)
        {
            peer.CollectExpired(now, expired);
        }
    }

    // ---- Routing: the calling side. ----

    public void Route(Request request, GrainReference? via)
    {
        if (_directory.TryGetCached(request.Target, out var silo))
        {
            if (ReferenceEquals(silo, _self))
            {
                request.DeepCopyArguments();
                _catalog.Dispatch(request, via);
                return;
            }
            var peer = GetPeer(silo);
            if (!peer.IsDead)
            {
                peer.SendRequest(request);
                return;
            }
            // Cached before its silo was declared dead: ask the directory again.
            _directory.Invalidate(request.Target);
        }
        RouteSlow(request, forwarded: false);
    }

    private void RouteSlow(Request request, bool forwarded)
    {
        var target = request.Target;
        if (!_types.TryGetClass(target.Type, out var info) || info.MaxLocalWorkers is not null || target.IsDefault)
        {
            // Stateless workers are local everywhere; an unknown type fails in the catalog with its message.
            if (!forwarded)
            {
                request.DeepCopyArguments();
            }
            _catalog.Dispatch(request);
            return;
        }
        _ = ResolveAndSendAsync(request, forwarded);
    }

    private async Task ResolveAndSendAsync(Request request, bool forwarded)
    {
        SiloAddress silo;
        try
        {
            silo = await _directory.LookupOrPlaceAsync(request.Target, _self).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            request.Fail(exception);
            return;
        }
        if (_directory.View.IsActive(silo))
        {
            _directory.Cache(request.Target, silo);
        }
        if (silo.Equals(_self))
        {
            if (!forwarded)
            {
                request.DeepCopyArguments();
            }
            _catalog.Dispatch(request);
        }
        else
        {
            GetPeer(silo).SendRequest(request);
        }
    }

    // ---- The receiving side. ----

    public void Process(Connection connection, ReadOnlySequence<byte> payload, PendingCalls? pending)
    {
        var memory = payload.IsSingleSegment ? payload.First : payload.ToArray();
        var reader = new WireReader(memory);
        MessageKind kind;
        long correlationId;
        try
        {
            (kind, correlationId) = MessageCodec.ReadHeader(reader);
        }
        catch (WireFormatException exception)
        {
            _logger.LogWarning("Closing connection to {Peer}: unreadable message ({Reason})", connection.RemoteIdentity, exception.Message);
            connection.Close();
            return;
        }
        switch (kind)
        {
            case MessageKind.Request:
                OnRequest(connection, reader, correlationId);
                break;
            case MessageKind.Response:
                if (pending is not null && pending.TryTake(correlationId, out var answered))
                {
                    try
                    {
                        answered.CompleteFromWire(reader);
                    }
                    catch (Exception exception) when (exception is WireFormatException or NotSupportedException or System.Text.Json.JsonException)
                    {
                        answered.Fail(exception);
                    }
                }
                break;
            case MessageKind.ExceptionResponse:
                if (pending is not null && pending.TryTake(correlationId, out var failed))
                {
                    failed.Fail(MessageCodec.ReadException(reader));
                }
                break;
            case MessageKind.Rejection:
                if (pending is not null && pending.TryTake(correlationId, out var rejected))
                {
                    rejected.Fail(new SiloUnavailableException($"Silo {connection.RemoteIdentity} rejected the call: {reader.ReadString()}"));
                }
                break;
            case MessageKind.Ping:
                Answer(connection, MessageKind.Pong, correlationId, w => w.WriteInt32(_catalog.Count));
                break;
            case MessageKind.Pong:
            case MessageKind.DirectoryResponse:
                pending?.CompleteControl(correlationId, reader.ReadBytes(reader.Remaining).ToArray());
                break;
            case MessageKind.DirectoryRequest:
                OnDirectoryRequest(connection, reader, correlationId);
                break;
            case MessageKind.MembershipChanged:
                _agent.RequestRefresh();
                break;
            case MessageKind.Cancel:
                _cancellation.Cancel(connection, correlationId);
                break;
            default:
                break;
        }
    }

    private void OnRequest(Connection connection, WireReader reader, long correlationId)
    {
        if (_stopping)
        {
            var rejection = FrameWriter.Rent();
            MessageCodec.WriteControl(rejection, MessageKind.Rejection, correlationId, $"silo {_self} is shutting down");
            TrySend(connection, rejection);
            return;
        }
        Request request;
        try
        {
            request = MessageCodec.ReadRequest(reader, correlationId, _timeProvider.GetTimestamp(), _timeProvider.TimestampFrequency, _grainFactory);
        }
        catch (Exception exception) when (exception is WireFormatException or NotSupportedException or System.Text.Json.JsonException)
        {
            _logger.LogWarning("Unreadable request {CorrelationId} from {Peer}: {Reason}", correlationId, connection.RemoteIdentity, exception.Message);
            var writer = FrameWriter.Rent();
            MessageCodec.WriteException(writer, correlationId, new WireFormatException($"Silo {_self} could not read the request: {exception.Message}"));
            TrySend(connection, writer);
            return;
        }
        var onDone = _cancellation.Attach(request, connection, correlationId);
        request.AttachRemoteSink(new RemoteResponder(connection, correlationId, _logger, onDone));
        var target = request.Target;
        if (_catalog.TryGetActivation(target, out var activation))
        {
            // Found already: enqueue on it rather than have Dispatch look it up a second time.
            if (!activation.TryEnqueue(request))
            {
                _catalog.Dispatch(request);
            }
            return;
        }
        if (_directory.TryGetCached(target, out var silo) && ReferenceEquals(silo, _self))
        {
            _catalog.Dispatch(request);
            return;
        }
        // Not active here (yet): the directory says where it lives, placing it if needed.
        RouteSlow(request, forwarded: true);
    }

    private void OnDirectoryRequest(Connection connection, WireReader reader, long correlationId)
    {
        var writer = FrameWriter.Rent();
        MessageCodec.WriteControl(writer, MessageKind.DirectoryResponse, correlationId);
        try
        {
            _directory.HandleRequest(reader, writer);
        }
        catch (Exception exception) when (exception is WireFormatException or SiloUnavailableException)
        {
            _logger.LogWarning("Directory request from {Peer} failed: {Reason}", connection.RemoteIdentity, exception.Message);
            writer = FrameWriter.Rent();
            MessageCodec.WriteControl(writer, MessageKind.DirectoryResponse, correlationId);
            writer.WriteString(null);
        }
        TrySend(connection, writer);
    }

    private void Answer(Connection connection, MessageKind kind, long correlationId, Action<WireWriter> body)
    {
        var writer = FrameWriter.Rent();
        MessageCodec.WriteControl(writer, kind, correlationId);
        body(writer);
        TrySend(connection, writer);
    }

    private static void TrySend(Connection connection, WireWriter writer)
    {
        try
        {
            connection.Send(writer.WrittenSpan);
        }
        catch (ConnectionClosedException)
        {
            // The peer is gone; it fails its own call.
        }
    }

    // ---- Membership and directory upkeep. ----

    private async Task ProbeAsync(SiloAddress silo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var body = await GetPeer(silo).SendControlAsync(MessageKind.Ping, null, timeout, cancellationToken).ConfigureAwait(false);
        if (body.Length >= 4)
        {
            _activationCounts[silo] = new WireReader(body).ReadInt32();
        }
    }

    private IReadOnlyDictionary<SiloAddress, int> SnapshotActivationCounts()
    {
        var counts = new Dictionary<SiloAddress, int>(_activationCounts) { [_self] = _catalog.Count };
        return counts;
    }

    private RemoteSilo GetPeer(SiloAddress silo)
    {
        if (_peers.TryGetValue(silo, out var peer))
        {
            return peer;
        }
        peer = _peers.GetOrAdd(silo, s => new RemoteSilo(s, _identity, _options.Networking, this, _logger, _timeProvider));
        if (View.IsDead(silo))
        {
            peer.MarkDead("it was declared dead");
        }
        return peer;
    }

    private void OnViewChanged(ClusterView view)
    {
        foreach (var (address, peer) in _peers)
        {
            var status = view.StatusOf(address);
            if (status == SiloStatus.Dead || (status == SiloStatus.None && view.Version >= 0))
            {
                peer.MarkDead(status == SiloStatus.Dead ? "it was declared dead" : "it is not in the membership table");
                _activationCounts.TryRemove(address, out _);
            }
        }
        var local = _catalog.GetActivations().Where(a => a.ClassInfo.MaxLocalWorkers is null).Select(a => a.GrainId).ToList();
        _directory.OnViewChanged(view, local);
    }

    private void OnActivationRemoved(GrainId grainId)
    {
        if (_directory is not null && !_stopping)
        {
            _directory.Unregister(grainId);
        }
    }

    /// <summary>A connection another silo or a client opened to us: requests come in, answers go back on it.</summary>
    private sealed class InboundConnection(ClusterSiloRuntime runtime) : IFrameHandler
    {
        public void OnFrame(Connection connection, ReadOnlySequence<byte> payload) => runtime.Process(connection, payload, null);

        public void OnClosed(Connection connection, Exception? reason)
        {
        }
    }
}
