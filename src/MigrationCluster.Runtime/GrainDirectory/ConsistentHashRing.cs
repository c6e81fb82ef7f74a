using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.GrainDirectory;

/// <summary>
/// The directory's partitioning: each active silo takes <see cref="VirtualNodesPerSilo"/> points on
/// a 32-bit ring (stable hashes, so every process computes the same ring from the same members); a
/// grain's directory entry belongs to the first point at or after the grain's hash. Virtual nodes
/// keep the partitions even, and a silo leaving moves only its own ranges.
/// </summary>
public sealed class ConsistentHashRing
{
    public const int VirtualNodesPerSilo = 30;

    private readonly uint[] _points;
    private readonly SiloAddress[] _owners;

    public ConsistentHashRing(IEnumerable<SiloAddress> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        Silos = [.. silos.Distinct().OrderBy(s => s.ToString(), StringComparer.Ordinal)];
        var points = new List<(uint Point, SiloAddress Silo)>(Silos.Count * VirtualNodesPerSilo);
        foreach (var silo in Silos)
        {
            var name = silo.ToString();
            for (var i = 0; i < VirtualNodesPerSilo; i++)
            {
                points.Add((StableHash.Compute(string.Concat(name, "#", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), silo));
            }
        }
        points.Sort((a, b) => a.Point != b.Point ? a.Point.CompareTo(b.Point) : string.CompareOrdinal(a.Silo.ToString(), b.Silo.ToString()));
        _points = [.. points.Select(p => p.Point)];
        _owners = [.. points.Select(p => p.Silo)];
    }

    /// <summary>The members, sorted by address text.</summary>
    public IReadOnlyList<SiloAddress> Silos { get; }

    public bool IsEmpty => _points.Length == 0;

    /// <summary>The silo that owns <paramref name="grainId"/>'s directory entry; null on an empty ring.</summary>
    public SiloAddress? GetOwner(GrainId grainId) => GetOwner(grainId.StableHashCode);

    public SiloAddress? GetOwner(uint hash)
    {
        if (_points.Length == 0)
        {
            return null;
        }
        var index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index;
        }
        return _owners[index == _points.Length ? 0 : index];
    }
}
