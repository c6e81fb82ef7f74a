namespace MigrationCluster.Grains.Nodes;

/// <summary>
/// One node for the invariant check: its size, its free-frame count and free-list length, and
/// every frame that is not a plain free frame (so a stray flag on a free frame shows too).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.NodeSnapshot")]
public sealed record NodeSnapshot(int Node, long Capacity, long FreePages, int FreeListLength, FrameSnapshot[] Frames);
