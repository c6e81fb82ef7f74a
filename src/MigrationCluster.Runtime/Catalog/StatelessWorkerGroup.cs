using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>
/// The local activations of one stateless-worker grain id: a request goes to an idle worker,
/// or to a new one while there are fewer than the maximum, or else to the least loaded.
/// </summary>
internal sealed class StatelessWorkerGroup(GrainId grainId, GrainClassInfo classInfo, Func<Activation> createWorker)
{
    private readonly List<Activation> _workers = [];

    public GrainId GrainId { get; } = grainId;

    public int Count
    {
        get
        {
            lock (_workers)
            {
                return _workers.Count;
            }
        }
    }

    public IReadOnlyList<Activation> Workers
    {
        get
        {
            lock (_workers)
            {
                return [.. _workers];
            }
        }
    }

    public void Enqueue(Request request)
    {
        while (true)
        {
            Activation target;
            lock (_workers)
            {
                target = PickWorker_NoLock();
            }
            if (target.TryEnqueue(request))
            {
                return;
            }
            Remove(target);
        }
    }

    private Activation PickWorker_NoLock()
    {
        Activation? leastLoaded = null;
        var leastLoad = int.MaxValue;
        foreach (var worker in _workers)
        {
            if (worker.State is ActivationState.Deactivating or ActivationState.Invalid)
            {
                continue;
            }
            var (running, waiting) = worker.GetLoad();
            var load = running + waiting;
            if (load == 0)
            {
                return worker;
            }
            if (load < leastLoad)
            {
                leastLoad = load;
                leastLoaded = worker;
            }
        }
        if (leastLoaded is null || _workers.Count < classInfo.MaxLocalWorkers)
        {
            var worker = createWorker();
            _workers.Add(worker);
            worker.Start();
            return worker;
        }
        return leastLoaded;
    }

    public void Remove(Activation worker)
    {
        lock (_workers)
        {
            _workers.Remove(worker);
        }
    }
}
