namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>How the tasks of an address space walk their memory.</summary>
[GenerateSerializer]
[Alias("mc.WorkloadPattern")]
public enum WorkloadPattern
{
    /// <summary>Each task reads and writes pages in order, wrapping around.</summary>
    Sequential,
    /// <summary>Uniformly random pages.</summary>
    Random,
    /// <summary>90% of accesses to the first 10% of pages.</summary>
    Hot,
}

/// <summary>
/// A run of accesses: how many tasks, how many accesses each (at least; with
/// <see cref="UntilStopped"/> they go on until <c>StopWorkloads</c>), which share are writes.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.WorkloadSpec")]
public sealed record WorkloadSpec(WorkloadPattern Pattern, int Tasks, int AccessesPerTask, double WriteFraction, int Seed, bool UntilStopped = false);
