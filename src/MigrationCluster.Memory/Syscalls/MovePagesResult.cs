namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// What move_pages(2) gives back: <see cref="ReturnValue"/> is 0, the number of pages not
/// migrated, or a negative errno. <see cref="Status"/> is the status array after the call: per
/// page the node it is on or a negative errno where the call wrote one, and the caller's initial
/// value (<see cref="Unwritten"/> unless one was given) where it did not: after a call-level
/// error, and (since 4.17) for the pages of a batch that failed to migrate.
/// </summary>
public sealed record MovePagesResult(int ReturnValue, IReadOnlyList<int> Status)
{
    /// <summary>The initial value of a status entry when the caller gives none: no node, no errno.</summary>
    public const int Unwritten = int.MinValue;
}
