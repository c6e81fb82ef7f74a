namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What an address space needs of the topology to allocate as the model does and to run the
/// syscalls: the nodes with memory, and each node's fallback list (indexed by node id; empty
/// for an id that is not a node).
/// </summary>
[GenerateSerializer]
[Alias("mc.MachineLayout")]
public sealed record MachineLayout(int[] NodesWithMemory, int[][] FallbackOrders);
