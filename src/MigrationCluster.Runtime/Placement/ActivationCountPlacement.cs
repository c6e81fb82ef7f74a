using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Placement;

/// <summary>
/// Power of two choices: of two random silos, the one with fewer activations. Counts arrive with
/// probe answers, so they lag; two random candidates keep stale counts from sending every new
/// grain to the same silo.
/// </summary>
public sealed class ActivationCountPlacement : IPlacementStrategy
{
    public SiloAddress Place(PlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.ActiveSilos;
        if (silos.Count == 1)
        {
            return silos[0];
        }
        var first = System.Random.Shared.Next(silos.Count);
        var second = (first + 1 + System.Random.Shared.Next(silos.Count - 1)) % silos.Count;
        return CountOf(silos[second]) < CountOf(silos[first]) ? silos[second] : silos[first];

        int CountOf(SiloAddress silo) => context.ActivationCounts.TryGetValue(silo, out var count) ? count : 0;
    }
}
