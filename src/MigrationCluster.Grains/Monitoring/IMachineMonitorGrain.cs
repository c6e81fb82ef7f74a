namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// What the cluster's NUMA machine looks like and what its migrations did, for people watching
/// (the <c>dashboard</c> command's page). One per cluster (key <see cref="MachineMonitor.Key"/>),
/// in memory, bounded: the configured machine, the vmstat counters since it was configured, pages
/// migrated into and out of each node, a per-second rate for the last minutes and the last
/// migrate_pages calls. The experiment tells it the machine; the migration coordinator reports
/// each migrate_pages call after each batch and when it ends (a few one-way calls per call, never
/// one per page), so watching costs the migration nothing it waits for.
/// </summary>
[Alias("mc.IMachineMonitorGrain")]
public interface IMachineMonitorGrain : IGrainWithIntegerKey
{
    /// <summary>A machine was set up (the node grains configured): like a boot, its counters start at zero.</summary>
    [Alias("ConfigureMachine")]
    Task ConfigureMachine(MachineDescription machine);

    /// <summary>
    /// Where a migrate_pages call stands, cumulative for the call (so a lost or late report costs
    /// nothing but freshness); the last one has <see cref="MigrationReport.Finished"/> set.
    /// </summary>
    [OneWay]
    [Alias("ReportMigration")]
    Task ReportMigration(MigrationReport report);

    /// <summary>Where the set-up of the machine being built stands; cleared by the machine's first migration report.</summary>
    [OneWay]
    [Alias("ReportSetUp")]
    Task ReportSetUp(SetUpProgress progress);

    /// <summary>The set-up in progress, or null when none is (none began, or its migration has started).</summary>
    [ReadOnly]
    [Alias("GetSetUp")]
    Task<SetUpProgress?> GetSetUp();

    [ReadOnly]
    [Alias("GetSnapshot")]
    Task<MachineMonitorSnapshot> GetSnapshot();

    /// <summary>The machine last configured, or null: the migration coordinators cost their steps on its distances.</summary>
    [ReadOnly]
    [Alias("GetMachine")]
    Task<MachineDescription?> GetMachine();

    /// <summary>A stamp that changes with every <see cref="ConfigureMachine"/> (empty before the first): a silo caches the machine under it.</summary>
    [ReadOnly]
    [Alias("GetMachineStamp")]
    Task<Guid> GetMachineStamp();
}
