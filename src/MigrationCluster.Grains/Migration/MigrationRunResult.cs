using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// What a migrate_pages run over grains returns: the kernel's return value (pages not migrated,
/// or -ENOMEM), the per-page errno and new page, the passes it took, how many pages were retried,
/// the vmstat counters it bumped, and how long each protocol step took. Immutable: made once at
/// the end of a call and never touched by the coordinator again, so a caller on the same silo
/// gets it as it is, not a page-by-page copy of its arrays.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MigrationRunResult")]
public sealed record MigrationRunResult(
    int ReturnValue,
    int Succeeded,
    int Failed,
    int NotIsolated,
    int Retried,
    int Passes,
    int[] PageErrno,
    PageRef[] NewPages,
    IReadOnlyDictionary<string, long> VmStat,
    IReadOnlyList<StepLatency> StepLatencies);
