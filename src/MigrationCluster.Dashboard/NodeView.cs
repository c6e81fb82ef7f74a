namespace MigrationCluster.Dashboard;

/// <summary>
/// One NUMA node: its frames (from the node grain, null with <see cref="Error"/> when it did not
/// answer), the silo it lives on, and the pages migrated into and out of it since the machine was configured.
/// </summary>
public sealed record NodeView(
    int Node,
    string Label,
    string? Silo,
    int? Capacity,
    int? FramesUsed,
    int? FramesFree,
    int? ActivePages,
    int? InactivePages,
    int? Waiters,
    long PagesMigratedIn,
    long PagesMigratedOut,
    string? Error);
