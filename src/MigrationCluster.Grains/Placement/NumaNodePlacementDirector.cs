using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace MigrationCluster.Grains.Placement;

/// <summary>
/// Places NUMA node k on the (k mod N)-th compatible silo. The silos are those the cluster
/// manifest lists as able to host the grain type (so a silo that has just joined is used only once
/// its manifest is known), ordered by endpoint: Orleans' own <see cref="SiloAddress"/> order starts
/// with the generation, which would reshuffle every node after a silo restarts.
/// </summary>
public sealed class NumaNodePlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
        {
            throw new OrleansException($"No active silo can host {target.GrainIdentity} yet.");
        }
        var node = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(SiloFor(node, silos));
    }

    /// <summary>The silo of NUMA node <paramref name="node"/> among <paramref name="silos"/>.</summary>
    public static SiloAddress SiloFor(long node, IReadOnlyCollection<SiloAddress> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        var ordered = silos.Order(EndpointOrder.Instance).ToArray();
        return ordered[(int)(((node % ordered.Length) + ordered.Length) % ordered.Length)];
    }

    /// <summary>Silos by address bytes, then port; the generation last (two generations of one endpoint never are both alive).</summary>
    public sealed class EndpointOrder : IComparer<SiloAddress>
    {
        public static EndpointOrder Instance { get; } = new();

        public int Compare(SiloAddress? x, SiloAddress? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }
            var bytes = x.Endpoint.Address.GetAddressBytes().AsSpan().SequenceCompareTo(y.Endpoint.Address.GetAddressBytes());
            if (bytes != 0)
            {
                return bytes;
            }
            var port = x.Endpoint.Port.CompareTo(y.Endpoint.Port);
            return port != 0 ? port : x.Generation.CompareTo(y.Generation);
        }
    }
}
