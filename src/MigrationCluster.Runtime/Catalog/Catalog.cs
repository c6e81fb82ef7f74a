using System.Collections.Concurrent;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>
/// The silo's activations: one per grain id (several for a stateless worker), created on the
/// first request and removed when deactivated.
/// </summary>
internal sealed class Catalog(GrainTypeRegistry registry)
{
    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerGroup> _workerGroups = new();
    private ActivationServices? _services;

    public GrainTypeRegistry Registry { get; } = registry;

    internal void Initialize(ActivationServices services) => _services = services;

    /// <summary>Told when a (non-worker) activation leaves the catalog: the cluster unregisters it from the directory.</summary>
    internal Action<GrainId>? ActivationRemoved { get; set; }

    public int Count => _activations.Count + _workerGroups.Values.Sum(g => g.Count);

    /// <summary>
    /// Delivers a request (its arguments already copied) to the target's activation, creating it
    /// if there is none. <paramref name="via"/>, the reference the call came through, remembers
    /// the activation for its next call; in a cluster the caller passes it only once the
    /// directory has said the grain lives here.
    /// </summary>
    public void Dispatch(Request request, GrainReference? via = null)
    {
        if (via?.CachedActivation is { } cached && cached.Catalog == this && cached.TryEnqueue(request))
        {
            return;
        }
        var grainId = request.Target;
        if (_activations.TryGetValue(grainId, out var existing) && existing.TryEnqueue(request))
        {
            if (via is not null)
            {
                via.CachedActivation = existing;
            }
            return;
        }
        DispatchSlow(request, grainId);
    }

    private void DispatchSlow(Request request, GrainId grainId)
    {
        if (!Registry.TryGetClass(grainId.Type, out var classInfo))
        {
            request.Fail(new InvalidOperationException($"No grain class has grain type '{grainId.Type}' (grain {grainId}, call {request.Method.FullName})."));
            return;
        }
        if (classInfo.MaxLocalWorkers is not null)
        {
            var group = _workerGroups.GetOrAdd(grainId, id => new StatelessWorkerGroup(id, classInfo, () => new Activation(id, classInfo, _services!)));
            group.Enqueue(request);
            return;
        }
        while (true)
        {
            if (!_activations.TryGetValue(grainId, out var activation))
            {
                var created = new Activation(grainId, classInfo, _services!);
                activation = _activations.GetOrAdd(grainId, created);
                if (ReferenceEquals(activation, created))
                {
                    created.Start();
                }
            }
            if (activation.TryEnqueue(request))
            {
                return;
            }
            // It deactivated between lookup and enqueue: drop it and try again.
            _activations.TryRemove(new KeyValuePair<GrainId, Activation>(grainId, activation));
        }
    }

    public void Remove(Activation activation)
    {
        if (activation.ClassInfo.MaxLocalWorkers is not null)
        {
            if (_workerGroups.TryGetValue(activation.GrainId, out var group))
            {
                group.Remove(activation);
            }
            return;
        }
        if (_activations.TryRemove(new KeyValuePair<GrainId, Activation>(activation.GrainId, activation)))
        {
            ActivationRemoved?.Invoke(activation.GrainId);
        }
    }

    public bool TryGetActivation(GrainId grainId, out Activation activation) => _activations.TryGetValue(grainId, out activation!);

    /// <summary>A snapshot of every activation, stateless workers included.</summary>
    public List<Activation> GetActivations()
    {
        var all = new List<Activation>(_activations.Count);
        all.AddRange(_activations.Values);
        foreach (var group in _workerGroups.Values)
        {
            all.AddRange(group.Workers);
        }
        return all;
    }

    /// <summary>Deactivates everything (silo shutdown) and waits until the catalog is empty.</summary>
    public async Task DeactivateAllAsync(TimeSpan timeout, TimeProvider timeProvider)
    {
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down.");
        foreach (var activation in GetActivations())
        {
            activation.DeactivateOnIdle(reason);
        }
        var deadline = timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * timeProvider.TimestampFrequency);
        while (Count > 0 && timeProvider.GetTimestamp() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), timeProvider).ConfigureAwait(false);
        }
    }
}
