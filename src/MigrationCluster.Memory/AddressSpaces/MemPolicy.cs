namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>The mempolicy modes of set_mempolicy(2) and mbind(2), with their uapi values.</summary>
public enum MemPolicyMode
{
    Default = 0,
    Preferred = 1,
    Bind = 2,
    Interleave = 3,
    Local = 4,
    PreferredMany = 5,
    WeightedInterleave = 6,
}

/// <summary>
/// A memory policy (struct mempolicy): a mode, its node set (pol->nodes, ascending), the mode
/// flags the user gave (MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, MPOL_F_NUMA_BALANCING) and
/// what a cpuset rebind needs (pol->w: the user's nodemask when a static or relative flag was
/// given, else the cpuset's nodes when the policy was made). As mpol_set_nodemask stores it, the
/// set holds only nodes with memory the task's cpuset allows, and MPOL_PREFERRED keeps only the
/// first node of the mask (mpol_new_preferred). MPOL_LOCAL has no nodes.
/// </summary>
public sealed record MemPolicy(MemPolicyMode Mode, IReadOnlyList<int> Nodes)
{
    /// <summary>The system default policy (default_policy): local allocation; get_mempolicy reports it as MPOL_DEFAULT.</summary>
    public static MemPolicy Default { get; } = new(MemPolicyMode.Default, []);

    /// <summary>The MPOL_F_* mode flags given with the mode (MPOL_MODE_FLAGS).</summary>
    public int Flags { get; init; }

    /// <summary>pol->w.user_nodemask: the mask as the user gave it, kept with MPOL_F_STATIC_NODES or MPOL_F_RELATIVE_NODES.</summary>
    public IReadOnlyList<int> UserNodemask { get; init; } = [];

    /// <summary>pol->w.cpuset_mems_allowed: the cpuset's nodes the policy was made (or last rebound) against.</summary>
    public IReadOnlyList<int> CpusetMemsAllowed { get; init; } = [];

    /// <summary>mpol_store_user_nodemask: a static or relative policy keeps the user's mask.</summary>
    public bool StoresUserNodemask => (Flags & (MemPolicyModeFlags.MPOL_F_STATIC_NODES | MemPolicyModeFlags.MPOL_F_RELATIVE_NODES)) != 0;

    /// <summary>Interleaving modes: the node comes from an interleave index or the task's il_prev.</summary>
    public bool Interleaves => Mode is MemPolicyMode.Interleave or MemPolicyMode.WeightedInterleave;

    /// <summary>Whether a page on <paramref name="node"/> already follows the policy.</summary>
    public bool Allows(int node) => Mode is MemPolicyMode.Default or MemPolicyMode.Local || Nodes.Count == 0 || Nodes.Contains(node);

    /// <summary>
    /// policy_nodemask's node for an allocation with interleave index <paramref name="ilx"/> by
    /// a task on <paramref name="localNode"/>: the first node of MPOL_PREFERRED; for
    /// MPOL_INTERLEAVE the node interleave_nid picks, for MPOL_WEIGHTED_INTERLEAVE the one
    /// weighted_interleave_nid picks with the node weights <paramref name="weights"/>; the local
    /// node otherwise (MPOL_BIND and MPOL_PREFERRED_MANY then limit its fallback list).
    /// </summary>
    public int PreferredNode(long ilx, int localNode, IReadOnlyList<int>? weights = null) => Mode switch
    {
        _ when Nodes.Count == 0 => localNode,
        MemPolicyMode.Preferred => Nodes[0],
        MemPolicyMode.Interleave => InterleaveNid(ilx),
        MemPolicyMode.WeightedInterleave => WeightedInterleaveNid(ilx, weights),
        _ => localNode,
    };

    /// <summary>interleave_nid: the (ilx mod n)-th node of the set.</summary>
    public int InterleaveNid(long ilx) => Nodes[(int)(ilx % Nodes.Count)];

    /// <summary>
    /// weighted_interleave_nid: ilx modulo the sum of the nodes' weights, walked through the
    /// nodes in order, each taking as many slots as its weight.
    /// </summary>
    public int WeightedInterleaveNid(long ilx, IReadOnlyList<int>? weights)
    {
        long total = Nodes.Sum(n => (long)InterleaveWeights.Of(weights, n));
        long target = ilx % total;
        foreach (int n in Nodes)
        {
            int weight = InterleaveWeights.Of(weights, n);
            if (target < weight)
            {
                return n;
            }

            target -= weight;
        }

        return Nodes[0];
    }

    /// <summary>The nodes an allocation may use: MPOL_BIND's set; null for the other modes (any node, by the fallback list).</summary>
    public IReadOnlyList<int>? Nodemask => Mode == MemPolicyMode.Bind && Nodes.Count > 0 ? Nodes : null;

    /// <summary>
    /// mpol_rebind_policy: the policy after the task's cpuset nodes become <paramref name="newMask"/>
    /// (cpuset_update_task_nodemask calls it for the task policy, and mpol_rebind_mm for each VMA's).
    /// MPOL_LOCAL and MPOL_DEFAULT stay; MPOL_PREFERRED(_MANY) keep their nodes and note the new
    /// cpuset (mpol_rebind_preferred); the node-set modes (mpol_rebind_nodemask) keep the user's
    /// nodes that are in it (static), take them relative to it (relative), or remap their nodes
    /// from the old cpuset onto it (nodes_remap); an empty result is the whole new cpuset.
    /// </summary>
    public MemPolicy Rebind(IReadOnlyList<int> newMask)
    {
        ArgumentNullException.ThrowIfNull(newMask);
        if (Mode is MemPolicyMode.Default or MemPolicyMode.Local)
        {
            return this;
        }

        if (!StoresUserNodemask && CpusetMemsAllowed.SequenceEqual(newMask))
        {
            return this;
        }

        if (Mode is MemPolicyMode.Preferred or MemPolicyMode.PreferredMany)
        {
            return this with { CpusetMemsAllowed = [.. newMask] };
        }

        int[] tmp;
        IReadOnlyList<int> cpuset = CpusetMemsAllowed;
        if ((Flags & MemPolicyModeFlags.MPOL_F_STATIC_NODES) != 0)
        {
            tmp = Syscalls.NodeMask.And([.. UserNodemask], newMask);
        }
        else if ((Flags & MemPolicyModeFlags.MPOL_F_RELATIVE_NODES) != 0)
        {
            tmp = Syscalls.NodeMask.Relative(UserNodemask, newMask);
        }
        else
        {
            tmp = Syscalls.NodeMask.Remap(Nodes, [.. CpusetMemsAllowed], [.. newMask]);
            cpuset = [.. newMask];
        }

        return this with { Nodes = tmp.Length == 0 ? [.. newMask] : tmp, CpusetMemsAllowed = cpuset };
    }

    /// <summary>The uapi mode word get_mempolicy reports: the mode with its mode flags.</summary>
    public int ModeWord => (int)Mode | Flags;

    public override string ToString() =>
        $"{MemPolicyNames.Of(Mode)}{MemPolicyModeFlags.Describe(Flags)} [{string.Join(",", Nodes)}]";
}
