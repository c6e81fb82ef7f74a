namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// The optional mode flags of set_mempolicy(2) and mbind(2), or'ed into the mode argument
/// (MPOL_MODE_FLAGS), and the flags of get_mempolicy(2).
/// </summary>
public static class MemPolicyModeFlags
{
    /// <summary>The user's nodes are kept as given: a cpuset change does not remap them, only masks them.</summary>
    public const int MPOL_F_STATIC_NODES = 1 << 15;

    /// <summary>The user's nodes are relative to the cpuset's: bit n is the cpuset's n-th node.</summary>
    public const int MPOL_F_RELATIVE_NODES = 1 << 14;

    /// <summary>NUMA balancing may migrate pages within MPOL_BIND's (or MPOL_PREFERRED_MANY's) nodes.</summary>
    public const int MPOL_F_NUMA_BALANCING = 1 << 13;

    /// <summary>MPOL_MODE_FLAGS.</summary>
    public const int MPOL_MODE_FLAGS = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING;

    /// <summary>get_mempolicy: report a node (of the address, or the task's next interleave node) instead of the mode.</summary>
    public const int MPOL_F_NODE = 1 << 0;

    /// <summary>get_mempolicy: the policy of the VMA (or shared object) at the address, not the task's.</summary>
    public const int MPOL_F_ADDR = 1 << 1;

    /// <summary>get_mempolicy: the task's cpuset memory nodes.</summary>
    public const int MPOL_F_MEMS_ALLOWED = 1 << 2;

    private static readonly (int Flag, string Name)[] ModeFlagNames =
    [
        (MPOL_F_STATIC_NODES, nameof(MPOL_F_STATIC_NODES)),
        (MPOL_F_RELATIVE_NODES, nameof(MPOL_F_RELATIVE_NODES)),
        (MPOL_F_NUMA_BALANCING, nameof(MPOL_F_NUMA_BALANCING)),
    ];

    /// <summary>The names of the mode flags set in <paramref name="flags"/>.</summary>
    public static IEnumerable<string> Names(int flags) => ModeFlagNames.Where(f => (flags & f.Flag) != 0).Select(f => f.Name);

    /// <summary>"|MPOL_F_STATIC_NODES" and so on, or nothing.</summary>
    public static string Describe(int flags) => string.Concat(Names(flags).Select(n => "|" + n));
}
