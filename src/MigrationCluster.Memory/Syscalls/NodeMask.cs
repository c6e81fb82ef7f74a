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
}
