namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// A live task as the syscalls check it: its pid, whether it has CAP_SYS_NICE, and
/// cpuset_mems_allowed (the nodes with memory its cpuset allows).
/// </summary>
public sealed record TaskInfo(int Pid, bool Privileged, IReadOnlyList<int> MemsAllowed);
