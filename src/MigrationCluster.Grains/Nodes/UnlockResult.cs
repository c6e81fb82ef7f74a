using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Nodes;

/// <summary>Step 19 on a run: the pages, and the tasks woken from their page-lock wait queues.</summary>
[GenerateSerializer]
[Alias("mc.UnlockResult")]
public sealed record UnlockResult(BatchRun Run, PageLockWaiter[] Woken);
