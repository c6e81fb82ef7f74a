namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>The mempolicy modes of mbind(2).</summary>
public enum MemPolicyMode
{
    Default = 0,
    Preferred = 1,
    Bind = 2,
    Interleave = 3,
}

/// <summary>
/// A range's memory policy: a mode and its node set, ascending. As mbind(2) stores it, the set
/// holds only nodes with memory the caller's cpuset allows, and MPOL_PREFERRED keeps only the
/// first node of the mask (mpol_new_preferred); MPOL_PREFERRED with no node is local allocation.
/// </summary>
public sealed record MemPolicy(MemPolicyMode Mode, IReadOnlyList<int> Nodes)
{
    public static MemPolicy Default { get; } = new(MemPolicyMode.Default, []);

    /// <summary>Whether a page on <paramref name="node"/> already follows the policy.</summary>
    public bool Allows(int node) => Mode == MemPolicyMode.Default || Nodes.Count == 0 || Nodes.Contains(node);

    /// <summary>The node a page at <paramref name="index"/> should live on, for a task on <paramref name="homeNode"/>.</summary>
    public int NodeFor(long index, int homeNode) => Mode switch
    {
        MemPolicyMode.Bind when Nodes.Count > 0 && !Nodes.Contains(homeNode) => Nodes[0],
        _ => PreferredNode(index, homeNode),
    };

    /// <summary>
    /// policy_nodemask's preferred node: the one whose fallback list an allocation walks. The
    /// local node for MPOL_DEFAULT, local MPOL_PREFERRED and MPOL_BIND (whose list is then
    /// limited to <see cref="Nodemask"/>); the first node of MPOL_PREFERRED; for MPOL_INTERLEAVE
    /// the node the interleave index <paramref name="index"/> picks (interleave_nid).
    /// </summary>
    public int PreferredNode(long index, int localNode) => Mode switch
    {
        _ when Nodes.Count == 0 => localNode,
        MemPolicyMode.Preferred => Nodes.Min(),
        MemPolicyMode.Interleave => Nodes[(int)(index % Nodes.Count)],
        _ => localNode,
    };

    /// <summary>The nodes an allocation may use: MPOL_BIND's set; null for the other modes (any node, by the fallback list).</summary>
    public IReadOnlyList<int>? Nodemask => Mode == MemPolicyMode.Bind && Nodes.Count > 0 ? Nodes : null;
}
