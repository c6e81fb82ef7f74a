using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Nodes;

/// <summary>What a NUMA node grain is built with: its page frames and how page contents are kept.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.NodeConfiguration")]
public sealed record NodeConfiguration(int Frames, ContentMode ContentMode = ContentMode.Compact);
