using Orleans.Placement;

namespace MigrationCluster.Grains.Placement;

/// <summary>Marks a grain class keyed by NUMA node id as placed by <see cref="NumaNodePlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NumaNodePlacementAttribute : PlacementAttribute
{
    public NumaNodePlacementAttribute()
        : base(NumaNodePlacement.Singleton)
    {
    }
}
