using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What an address space needs of the topology to allocate as the model does and to run the
/// syscalls: the nodes with memory, and each node's fallback list (indexed by node id; empty
/// for an id that is not a node), and the MPOL_WEIGHTED_INTERLEAVE weights by node id
/// (weighted_interleave/nodeN; null: every node weighs 1).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MachineLayout")]
public sealed record MachineLayout(int[] NodesWithMemory, int[][] FallbackOrders, int[]? InterleaveWeights = null)
{
    /// <summary>A node's fallback list (zonelist).</summary>
    public IReadOnlyList<int> FallbackOrder(int node) =>
        node >= 0 && node < FallbackOrders.Length ? FallbackOrders[node] : [];

    /// <summary>The nodes an allocation by <paramref name="space"/>'s task under <paramref name="policy"/> with interleave index <paramref name="ilx"/> tries, in order (as the model's).</summary>
    public int[] AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long ilx)
    {
        ArgumentNullException.ThrowIfNull(space);
        int nid = AllocationNodes.PolicyNode(policy, ilx, space, InterleaveWeights);
        return [.. AllocationNodes.Order(policy, nid, space.MemsAllowed, NodesWithMemory, FallbackOrder)];
    }
}
