namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// A process: the node its tasks run on, whether it has CAP_SYS_NICE, and what it needs to know
/// of the topology: the order in which it falls back to other nodes when allocating (nearest
/// first) and the SLIT distance from its home node to each node (indexed by node id), from which
/// the cost model prices its accesses.
/// </summary>
[GenerateSerializer]
[Alias("mc.AddressSpaceConfiguration")]
public sealed record AddressSpaceConfiguration(int HomeNode, int[] AllocationOrder, int[] DistanceFromHome, double LocalAccessNs, bool Privileged = false);
