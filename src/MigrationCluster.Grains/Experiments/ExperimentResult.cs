using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Grains.Experiments;

/// <summary>What an experiment measured: the migration's outcome and the accesses before, during and after it.</summary>
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
    double MigrationMs);
