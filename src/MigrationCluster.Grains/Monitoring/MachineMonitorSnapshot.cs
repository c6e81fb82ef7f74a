namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// What the monitor knows now: the machine (null until one is configured) and when it was
/// configured, the vmstat counters since then, pages into and out of each node, the per-second
/// migration rate, and the last migrate_pages calls, newest first (calls still running first).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MachineMonitorSnapshot")]
public sealed record MachineMonitorSnapshot(
    MachineDescription? Machine,
    long ConfiguredUnixMs,
    long NowUnixMs,
    IReadOnlyDictionary<string, long> VmStat,
    IReadOnlyList<NodeMigrationCount> Nodes,
    MigrationRate Rate,
    IReadOnlyList<MigrationReport> Calls);
