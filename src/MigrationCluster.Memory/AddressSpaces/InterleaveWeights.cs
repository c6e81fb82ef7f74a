namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// The weights of MPOL_WEIGHTED_INTERLEAVE, /sys/kernel/mm/mempolicy/weighted_interleave/nodeN:
/// indexed by node id, 1 to 255; a node with no weight given weighs 1 (get_il_weight with no
/// table set).
/// </summary>
public static class InterleaveWeights
{
    public const int DefaultWeight = 1;
    public const int MaxWeight = 255;

    /// <summary>get_il_weight.</summary>
    public static int Of(IReadOnlyList<int>? weights, int node) =>
        weights is not null && node >= 0 && node < weights.Count && weights[node] > 0 ? weights[node] : DefaultWeight;
}
