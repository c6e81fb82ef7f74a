using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

public sealed class RandomPlacement : IPlacementStrategy
{
    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ActiveSilos[System.Random.Shared.Next(context.ActiveSilos.Count)];
    }
}
