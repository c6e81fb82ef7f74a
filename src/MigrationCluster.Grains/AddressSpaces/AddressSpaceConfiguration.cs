namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A process: the node its tasks run on, and whether it has CAP_SYS_NICE.</summary>
public sealed record AddressSpaceConfiguration(int HomeNode, bool Privileged = false);
