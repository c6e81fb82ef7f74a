namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// What move_pages(2) gives back: <see cref="ReturnValue"/> is 0, the number of pages not
/// migrated, or a negative errno for a call-level error (then <see cref="Status"/> is unset);
/// <see cref="Status"/> holds per page the node it is on, or a negative errno.
/// </summary>
public sealed record MovePagesResult(int ReturnValue, IReadOnlyList<int> Status);
