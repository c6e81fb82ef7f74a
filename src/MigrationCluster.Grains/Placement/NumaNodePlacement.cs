using Orleans.Runtime;

namespace MigrationCluster.Grains.Placement;

/// <summary>
/// Spreads NUMA node grains over the silos: node k lives on the (k mod N)-th of the N silos that
/// can host it, so a machine of many nodes splits evenly and deterministically over a cluster and
/// a migration between nodes on different silos crosses the network, as the experiments want.
/// Registered on every silo with <c>AddPlacementDirector&lt;NumaNodePlacement, NumaNodePlacementDirector&gt;()</c>.
/// </summary>
[Serializable]
[GenerateSerializer]
[Immutable]
[Alias("mc.NumaNodePlacement")]
public sealed class NumaNodePlacement : PlacementStrategy
{
    public static NumaNodePlacement Singleton { get; } = new();
}
