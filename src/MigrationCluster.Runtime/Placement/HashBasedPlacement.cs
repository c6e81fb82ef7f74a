using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

public sealed class HashBasedPlacement : IPlacementStrategy
{
    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ActiveSilos[(int)(context.GrainId.StableHashCode % (uint)context.ActiveSilos.Count)];
    }
}
