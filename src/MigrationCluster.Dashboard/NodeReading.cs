using MigrationCluster.Grains.Nodes;

namespace MigrationCluster.Dashboard;

/// <summary>What a node grain answered (or why it did not).</summary>
public sealed record NodeReading(int Node, NodeStatus? Status, string? Error);
