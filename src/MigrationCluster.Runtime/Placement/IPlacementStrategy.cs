using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

/// <summary>Chooses the silo of a new activation. Runs on the owner of the grain's directory entry, once per activation.</summary>
public interface IPlacementStrategy
{
    SiloAddress Place(PlacementContext context);
}
