using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// What an experiment measured: the migration's outcome (with its simulated times) and the
/// accesses before, during and after it. <see cref="MigrationMs"/> is the host's wall time.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.ExperimentResult")]
public sealed record ExperimentResult(
    int Nodes,
    int AddressSpaces,
    int PagesMapped,
    int PagesToMigrate,
    MigrationRunResult Migration,
    WorkloadReport Before,
    WorkloadReport During,
    WorkloadReport After,
    InvariantReport Invariants,
    double MigrationMs,
    TaskSchedule Schedule = TaskSchedule.Simulated)
{
    /// <summary>The migration's simulated duration: its longest migrate_pages call.</summary>
    public long MigrationSimulatedNs => Migration.SimulatedNs;
}
