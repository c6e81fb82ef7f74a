namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A live process as another process's syscall checks it: CAP_SYS_NICE and cpuset_mems_allowed.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.TaskCredentials")]
public sealed record TaskCredentials(bool Privileged, int[] MemsAllowed);
