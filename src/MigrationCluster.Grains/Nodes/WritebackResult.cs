using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Nodes;

/// <summary>Step 2 on a run: the pages, and how many of them waited for writeback (the cost model charges for them).</summary>
[GenerateSerializer]
[Alias("mc.WritebackResult")]
public sealed record WritebackResult(BatchRun Run, int Waited);
