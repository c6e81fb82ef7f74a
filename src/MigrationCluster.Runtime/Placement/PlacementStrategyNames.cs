namespace MigrationCluster.Runtime.Placement;

/// <summary>The names <c>[Placement("...")]</c> accepts, in one place.</summary>
public static class PlacementStrategyNames
{
    /// <summary>Any active silo, uniformly. The default (Orleans' classic default): spreads load without coordination.</summary>
    public const string Random = "random";

    /// <summary>The silo that asked for the grain (the caller's silo, or the gateway of a client), if it is active.</summary>
    public const string PreferLocal = "prefer-local";

    /// <summary>The grain's stable hash modulo the sorted active silos: the same silo for the same membership.</summary>
    public const string HashBased = "hash-based";

    /// <summary>The less loaded of two random silos, by their last reported activation counts.</summary>
    public const string ActivationCountBased = "activation-count-based";

    /// <summary>NUMA node grains (integer key k) round-robin over the sorted active silos: node k on silo k mod N.</summary>
    public const string NumaNode = "numa-node";

    /// <summary>The strategy for grain classes without <c>[Placement]</c>.</summary>
    public const string Default = Random;

    public static IReadOnlyList<string> All { get; } = [Random, PreferLocal, HashBased, ActivationCountBased, NumaNode];
}
