using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.GrainDirectory;

/// <summary>
/// The directory entries this silo owns (its ranges of the ring): grain -> the silo of its one
/// activation. All decisions for a grain are made here under one lock, which is what makes
/// concurrent first calls from many silos agree on one activation.
/// </summary>
internal sealed class GrainDirectoryPartition
{
    private readonly Dictionary<GrainId, SiloAddress> _entries = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The registered silo if it is still alive, else the one <paramref name="place"/> picks (recorded).</summary>
    public SiloAddress LookupOrPlace(GrainId grainId, Func<SiloAddress, bool> isAlive, Func<SiloAddress> place)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(grainId, out var existing) && isAlive(existing))
            {
                return existing;
            }
            var chosen = place();
            _entries[grainId] = chosen;
            return chosen;
        }
    }

    /// <summary>Records <paramref name="silo"/> unless a live entry exists; returns the entry that won.</summary>
    public SiloAddress Register(GrainId grainId, SiloAddress silo, Func<SiloAddress, bool> isAlive)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(grainId, out var existing) && isAlive(existing))
            {
                return existing;
            }
            _entries[grainId] = silo;
            return silo;
        }
    }

    /// <summary>Removes the entry only if it still names <paramref name="silo"/> (a newer registration stays).</summary>
    public void Unregister(GrainId grainId, SiloAddress silo)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(grainId, out var existing) && existing.Equals(silo))
            {
                _entries.Remove(grainId);
            }
        }
    }

    /// <summary>Drops every entry whose silo is no longer alive.</summary>
    public int RemoveDeadSilos(Func<SiloAddress, bool> isAlive)
    {
        lock (_lock)
        {
            var dead = _entries.Where(e => !isAlive(e.Value)).Select(e => e.Key).ToList();
            foreach (var grainId in dead)
            {
                _entries.Remove(grainId);
            }
            return dead.Count;
        }
    }

    /// <summary>Takes out the entries another silo owns now (to hand them over).</summary>
    public List<KeyValuePair<GrainId, SiloAddress>> TakeWhere(Func<GrainId, bool> notMine)
    {
        lock (_lock)
        {
            var moving = _entries.Where(e => notMine(e.Key)).ToList();
            foreach (var entry in moving)
            {
                _entries.Remove(entry.Key);
            }
            return moving;
        }
    }
}
