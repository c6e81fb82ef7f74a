namespace MigrationCluster.Memory.Syscalls;

/// <summary>nodemask_t operations the syscalls use, over ascending arrays of distinct node ids.</summary>
public static class NodeMask
{
    /// <summary>NUMA_NO_NODE.</summary>
    public const int NumaNoNode = -1;

    /// <summary>An ascending set of the distinct ids in <paramref name="nodes"/>.</summary>
    public static int[] Of(IEnumerable<int> nodes) => [.. nodes.Distinct().Order()];

    /// <summary>
    /// node_remap (bitmap_bitremap): if <paramref name="oldBit"/> is the n-th node of
    /// <paramref name="oldMask"/>, the (n mod w)-th node of <paramref name="newMask"/>, w its weight;
    /// <paramref name="oldBit"/> itself when it is not in the old set or the new set is empty.
    /// </summary>
    public static int NodeRemap(int oldBit, int[] oldMask, int[] newMask)
    {
        ArgumentNullException.ThrowIfNull(oldMask);
        ArgumentNullException.ThrowIfNull(newMask);
        int n = Array.IndexOf(oldMask, oldBit);
        return n < 0 || newMask.Length == 0 ? oldBit : newMask[n % newMask.Length];
    }

    /// <summary>nodes_subset.</summary>
    public static bool IsSubset(int[] subset, IEnumerable<int> of) => subset.All(of.Contains);

    /// <summary>nodes_and.</summary>
    public static int[] And(int[] a, IEnumerable<int> b) => [.. a.Intersect(b).Order()];

    /// <summary>
    /// mpol_relative_nodemask: <paramref name="orig"/> folded onto the weight w of
    /// <paramref name="rel"/> (nodes_fold: bit n becomes bit n mod w), then mapped onto it
    /// (nodes_onto: bit k becomes the k-th node of <paramref name="rel"/>).
    /// </summary>
    public static int[] Relative(IEnumerable<int> orig, IReadOnlyList<int> rel)
    {
        ArgumentNullException.ThrowIfNull(rel);
        return rel.Count == 0 ? [] : Of(orig.Select(n => rel[n % rel.Count]));
    }

    /// <summary>nodes_remap (bitmap_remap): each node through <see cref="NodeRemap"/>.</summary>
    public static int[] Remap(IEnumerable<int> nodes, int[] oldMask, int[] newMask) => Of(nodes.Select(n => NodeRemap(n, oldMask, newMask)));

    /// <summary>next_node_in: the first node of <paramref name="mask"/> after <paramref name="node"/>, wrapping round; MAX_NUMNODES for an empty mask.</summary>
    public static int NextNodeIn(int node, IReadOnlyList<int> mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count == 0)
        {
            return Topology.NumaTopology.MaxNumNodes;
        }

        foreach (int n in mask)
        {
            if (n > node)
            {
                return n;
            }
        }

        return mask[0];
    }
}
