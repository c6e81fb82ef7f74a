namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// What get_mempolicy(2) gives back: 0 or a negative errno; the value written to *mode (the
/// mode with its mode flags, or a node with MPOL_F_NODE); and the nodemask written, as node ids
/// (null when no buffer was passed or the call failed).
/// </summary>
public sealed record GetMempolicyResult(int ReturnValue, int Mode, IReadOnlyList<int>? Nodemask)
{
    public static GetMempolicyResult Error(int errno) => new(errno, 0, null);
}
