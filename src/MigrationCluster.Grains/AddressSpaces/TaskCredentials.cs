namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A process as another process's syscall checks it: CAP_SYS_NICE, cpuset_mems_allowed, and whether it is a zombie (no mm).</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.TaskCredentials")]
public sealed record TaskCredentials(bool Privileged, int[] MemsAllowed, bool Zombie = false);
