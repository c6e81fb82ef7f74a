using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// What a migrate_pages run over grains returns: the kernel's return value (pages not migrated,
/// or -ENOMEM), the per-page errno and new page, the passes it took, how many pages were retried,
/// the vmstat counters it bumped, and how long each protocol step took.
/// </summary>
[GenerateSerializer]
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
