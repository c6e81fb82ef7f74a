using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

public sealed class PreferLocalPlacement : IPlacementStrategy
{
    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var silo in context.ActiveSilos)
        {
            if (silo.Equals(context.RequestingSilo))
            {
                return silo;
            }
        }
        // The requester is not an active silo (it is shutting down): any other will do.
        return context.ActiveSilos[System.Random.Shared.Next(context.ActiveSilos.Count)];
    }
}
