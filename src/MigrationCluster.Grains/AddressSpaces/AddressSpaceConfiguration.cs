namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// A process: the node its tasks run on, whether it has CAP_SYS_NICE, and what it needs to know
/// of the topology: the order in which it falls back to other nodes when allocating (nearest
/// first) and the SLIT distance from its home node to each node (indexed by node id), from which
/// the cost model prices its accesses. With a <see cref="Layout"/> its faults follow the memory
/// policies and the cpuset (<see cref="MemsAllowed"/>, null: the root cpuset) as the model's do,
/// and it can run move_pages, migrate_pages and mbind; without one it allocates along
/// <see cref="AllocationOrder"/>.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.AddressSpaceConfiguration")]
public sealed record AddressSpaceConfiguration(int HomeNode, int[] AllocationOrder, int[] DistanceFromHome, double LocalAccessNs, bool Privileged = false, int[]? MemsAllowed = null, MachineLayout? Layout = null);
