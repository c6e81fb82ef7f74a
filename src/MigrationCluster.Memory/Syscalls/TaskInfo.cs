namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// A live task as the syscalls check it: its pid, whether it has CAP_SYS_NICE, and
/// cpuset_mems_allowed (the nodes with memory its cpuset allows). A zombie (exited, not yet
/// reaped) is still found by its pid but has no mm (<see cref="HasMm"/> false: get_task_mm is NULL).
/// </summary>
public sealed record TaskInfo(int Pid, bool Privileged, IReadOnlyList<int> MemsAllowed)
{
    public bool HasMm { get; init; } = true;
}
