using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// One migrate_pages call as far as it got, cumulative: pages migrated and failed so far, the
/// vmstat counters it bumped (by their kernel names), pages into and out of each node, the
/// passes, how long each protocol step took, and the trace it ran in (when one was recorded).
/// Wall times are Unix milliseconds on the coordinator's host clock; <see cref="SimulatedNs"/> and
/// <see cref="SimulatedSteps"/> are the call's simulated time so far and each step's share of it.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MigrationReport")]
public sealed record MigrationReport(
    string CallId,
    long Coordinator,
    string Silo,
    string Mode,
    string Reason,
    long StartedUnixMs,
    double ElapsedMs,
    int Requested,
    int Succeeded,
    int Failed,
    int Retried,
    int Passes,
    IReadOnlyDictionary<string, long> VmStat,
    IReadOnlyList<NodeMigrationCount> Nodes,
    IReadOnlyList<StepLatency> Steps,
    string? TraceId,
    bool Finished,
    long SimulatedNs = 0,
    IReadOnlyList<StepSimulatedTotal>? SimulatedSteps = null);
