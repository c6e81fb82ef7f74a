using System.Collections.Concurrent;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Placement;
using MigrationCluster.Runtime.Serialization;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.GrainDirectory;

/// <summary>
/// Where each grain's one activation lives. Entries are partitioned over the ring of active
/// silos; the owner of an entry decides placement on first lookup. Every silo keeps a cache of
/// answers, so a call to a known grain costs one dictionary lookup.
/// </summary>
internal sealed class DistributedGrainDirectory
{
    // Directory operations retry while membership settles (a dead owner, a ring change).
    private const int MaxAttempts = 8;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly SiloAddress _self;
    private readonly PlacementDirector _placement;
    private readonly Func<SiloAddress, RemoteSilo> _peers;
    private readonly Func<IReadOnlyDictionary<SiloAddress, int>> _activationCounts;
    private readonly TimeSpan _operationTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<GrainId, SiloAddress> _cache = new();
    private readonly GrainDirectoryPartition _partition = new();
    private ClusterView _view = ClusterView.Empty;
    private Task _handoff = Task.CompletedTask;

    public DistributedGrainDirectory(
        SiloAddress self,
        PlacementDirector placement,
        Func<SiloAddress, RemoteSilo> peers,
        Func<IReadOnlyDictionary<SiloAddress, int>> activationCounts,
        TimeSpan operationTimeout,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _self = self;
        _placement = placement;
        _peers = peers;
        _activationCounts = activationCounts;
        _operationTimeout = operationTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public int PartitionSize => _partition.Count;

    /// <summary>Completes when the entry handoffs and re-registrations of every view change so far are done.</summary>
    public Task Handoffs => Volatile.Read(ref _handoff);

    public ClusterView View => Volatile.Read(ref _view);

    public bool TryGetCached(GrainId grainId, out SiloAddress silo) => _cache.TryGetValue(grainId, out silo!);

    /// <summary>Caches an answer; this silo's own address is stored as the one instance, so the hot path compares references.</summary>
    public void Cache(GrainId grainId, SiloAddress silo) => _cache[grainId] = silo.Equals(_self) ? _self : silo;

    public void Invalidate(GrainId grainId) => _cache.TryRemove(grainId, out _);

    private bool IsAlive(SiloAddress silo) => Volatile.Read(ref _view).IsActive(silo);

    /// <summary>The silo of <paramref name="grainId"/>'s activation, placing it for <paramref name="requester"/> if it has none.</summary>
    public Task<SiloAddress> LookupOrPlaceAsync(GrainId grainId, SiloAddress requester) =>
        RunAsync(DirectoryOperation.LookupOrPlace, grainId, requester);

    /// <summary>Tells the owner an activation lives on <paramref name="silo"/>; returns the entry that won.</summary>
    public Task<SiloAddress> RegisterAsync(GrainId grainId, SiloAddress silo) => RunAsync(DirectoryOperation.Register, grainId, silo);

    /// <summary>This silo's activation of <paramref name="grainId"/> is gone.</summary>
    public void Unregister(GrainId grainId)
    {
        Invalidate(grainId);
        _ = RunAsync(DirectoryOperation.Unregister, grainId, _self).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<SiloAddress> RunAsync(DirectoryOperation operation, GrainId grainId, SiloAddress silo)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var view = Volatile.Read(ref _view);
            var owner = view.Ring.GetOwner(grainId);
            if (owner is null)
            {
                last = new SiloUnavailableException($"No active silo owns the directory entry of {grainId} (membership {view}).");
            }
            else if (owner.Equals(_self))
            {
                return Apply(operation, grainId, silo) ?? silo;
            }
            else
            {
                try
                {
                    var body = await _peers(owner).SendControlAsync(
                        MessageKind.DirectoryRequest, w => WriteRequest(w, operation, grainId, silo), _operationTimeout, CancellationToken.None).ConfigureAwait(false);
                    var answer = new WireReader(body).ReadString();
                    return answer is null ? silo : SiloAddress.Parse(answer);
                }
                catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException)
                {
                    last = exception;
                }
            }
            if (operation == DirectoryOperation.Unregister)
            {
                break;
            }
            // The owner is unreachable or there is none yet: wait for the membership to catch up.
            await Task.Delay(RetryDelay, _timeProvider).ConfigureAwait(false);
        }
        throw last as SiloUnavailableException ?? new SiloUnavailableException($"The directory could not resolve {grainId}: {last?.Message}", last);
    }

    private static void WriteRequest(WireWriter writer, DirectoryOperation operation, GrainId grainId, SiloAddress silo)
    {
        writer.WriteByte((byte)operation);
        WireCodec<GrainId>.Write(writer, grainId);
        writer.WriteString(silo.ToString());
    }

    /// <summary>Runs an operation another silo sent; writes the answer body.</summary>
    public void HandleRequest(WireReader reader, WireWriter answer)
    {
        var operation = (DirectoryOperation)reader.ReadByte();
        var grainId = WireCodec<GrainId>.Read(reader);
        var siloText = reader.ReadString();
        if (siloText is null || !SiloAddress.TryParse(siloText, out var silo))
        {
            throw new WireFormatException($"Directory request with a bad silo address '{siloText}'.");
        }
        answer.WriteString(Apply(operation, grainId, silo)?.ToString());
    }

    private SiloAddress? Apply(DirectoryOperation operation, GrainId grainId, SiloAddress silo)
    {
        switch (operation)
        {
            case DirectoryOperation.LookupOrPlace:
                return _partition.LookupOrPlace(grainId, IsAlive, () =>
                {
                    var view = Volatile.Read(ref _view);
                    if (view.ActiveSilos.Count == 0)
                    {
                        throw new SiloUnavailableException($"No active silo to place {grainId} on.");
                    }
                    return _placement.Place(new PlacementContext(grainId, silo, view.ActiveSilos, _activationCounts()));
                });
            case DirectoryOperation.Register:
                return _partition.Register(grainId, silo, IsAlive);
            case DirectoryOperation.Unregister:
                _partition.Unregister(grainId, silo);
                return null;
            default:
                throw new WireFormatException($"Unknown directory operation {(byte)operation}.");
        }
    }

    /// <summary>
    /// New membership: forget entries and cached answers that point at silos no longer active, hand
    /// entries whose range moved to their new owner, and re-register this silo's activations with
    /// their owners (an owner that died took their entries with it).
    /// </summary>
    public void OnViewChanged(ClusterView view, IReadOnlyCollection<GrainId> localActivations)
    {
        Volatile.Write(ref _view, view);
        foreach (var (grainId, silo) in _cache)
        {
            if (!view.IsActive(silo))
            {
                _cache.TryRemove(new KeyValuePair<GrainId, SiloAddress>(grainId, silo));
            }
        }
        var dropped = _partition.RemoveDeadSilos(IsAlive);
        var moving = _partition.TakeWhere(id => view.Ring.GetOwner(id) is { } owner && !owner.Equals(_self));
        if (dropped > 0 || moving.Count > 0)
        {
            _logger.LogDebug("Directory of {Silo}: dropped {Dropped} entries of departed silos, handing {Moving} to new owners", _self, dropped, moving.Count);
        }
        if (!view.IsActive(_self))
        {
            return;
        }
        var previous = _handoff;
        _handoff = Task.Run(async () =>
        {
            await previous.ConfigureAwait(false);
            foreach (var (grainId, silo) in moving)
            {
                await TryAsync(() => RegisterAsync(grainId, silo)).ConfigureAwait(false);
            }
            foreach (var grainId in localActivations)
            {
                if (view.Ring.GetOwner(grainId) is { } owner && !owner.Equals(_self))
                {
                    await TryAsync(() => RegisterAsync(grainId, _self)).ConfigureAwait(false);
                }
                else
                {
                    _partition.Register(grainId, _self, IsAlive);
                }
            }
        });
    }

    private async Task TryAsync(Func<Task<SiloAddress>> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (SiloUnavailableException exception)
        {
            _logger.LogDebug("Directory handoff failed: {Reason}", exception.Message);
        }
    }
}
