using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What an address space needs of the topology to allocate as the model does and to run the
/// syscalls: the nodes with memory, and each node's fallback list (indexed by node id; empty
/// for an id that is not a node).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MachineLayout")]
public sealed record MachineLayout(int[] NodesWithMemory, int[][] FallbackOrders)
{
    /// <summary>A node's fallback list (zonelist).</summary>
    public IReadOnlyList<int> FallbackOrder(int node) =>
        node >= 0 && node < FallbackOrders.Length ? FallbackOrders[node] : [];

    /// <summary>The nodes an allocation for page <paramref name="index"/> of <paramref name="space"/> under <paramref name="policy"/> tries, in order (as the model's).</summary>
    public int[] AllocationOrder(AddressSpaceMemory space, MemPolicy policy, long index)
    {
        ArgumentNullException.ThrowIfNull(space);
        return [.. AllocationNodes.Order(policy, index, space.HomeNode, space.MemsAllowed, NodesWithMemory, FallbackOrder)];
    }
}
