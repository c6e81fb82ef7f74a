using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

/// <summary>
/// NUMA node grains have small integer keys 0..N-1: node k goes to the (k mod S)-th active silo
/// (sorted by address), so S silos hold the nodes round-robin and no silo has more than one node
/// over any other. Keys that are not integers fall back to their stable hash.
/// </summary>
public sealed class NumaNodePlacement : IPlacementStrategy
{
    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = context.ActiveSilos.Count;
        var index = long.TryParse(context.GrainId.Key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var key)
            ? (int)(((key % count) + count) % count)
            : (int)(context.GrainId.StableHashCode % (uint)count);
        return context.ActiveSilos[index];
    }
}
