namespace MigrationCluster.Memory.Syscalls;

/// <summary>The MPOL_MF_* flags of mbind(2) and move_pages(2).</summary>
public static class MemPolicyFlags
{
    public const int MPOL_MF_STRICT = 1 << 0;
    public const int MPOL_MF_MOVE = 1 << 1;
    public const int MPOL_MF_MOVE_ALL = 1 << 2;

    /// <summary>In the uapi header but not supported: mbind(2) and move_pages(2) refuse it with -EINVAL.</summary>
    public const int MPOL_MF_LAZY = 1 << 3;
}
