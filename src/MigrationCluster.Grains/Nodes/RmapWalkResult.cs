using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Nodes;

/// <summary>The reverse-map walk of step 4 on a run: the pages, and every PTE that maps one of them.</summary>
[GenerateSerializer]
[Alias("mc.RmapWalkResult")]
public sealed record RmapWalkResult(BatchRun Run, PteBatch Ptes);
