namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>
/// Which nodes a task may allocate from, and in what order: the rules the model and the grains
/// share, so that both pick the same node (and, with the same allocator, the same frame).
/// </summary>
public static class AllocationNodes
{
    /// <summary>
    /// cpuset_mems_allowed: the nodes with memory in the task's cpuset (<paramref name="memsAllowed"/>,
    /// null for the root cpuset). A cpuset whose nodes have no memory falls back to every node with
    /// memory (guarantee_online_mems climbs to the root).
    /// </summary>
    public static IReadOnlyList<int> CpusetMemsAllowed(IReadOnlyList<int>? memsAllowed, IReadOnlyList<int> nodesWithMemory)
    {
        ArgumentNullException.ThrowIfNull(nodesWithMemory);
        if (memsAllowed is null)
        {
            return nodesWithMemory;
        }

        int[] allowed = [.. nodesWithMemory.Where(memsAllowed.Contains)];
        return allowed.Length > 0 ? allowed : nodesWithMemory;
    }

    /// <summary>
    /// The nodes an allocation under <paramref name="policy"/> tries, in order: the fallback list
    /// (zonelist) of the policy's preferred node, limited to MPOL_BIND's nodes and to the task's
    /// cpuset (user allocations are __GFP_HARDWALL). The first with a free frame gets the page.
    /// </summary>
    public static IEnumerable<int> Order(MemPolicy policy, long index, int homeNode, IReadOnlyList<int>? memsAllowed, IReadOnlyList<int> nodesWithMemory, Func<int, IReadOnlyList<int>> fallbackOrder)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(fallbackOrder);
        int preferred = policy.PreferredNode(index, homeNode);
        IReadOnlyList<int>? nodemask = policy.Nodemask;
        // The root cpuset allows every node with memory, and the fallback list holds only those.
        IReadOnlyList<int>? cpuset = memsAllowed is null ? null : CpusetMemsAllowed(memsAllowed, nodesWithMemory);
        IReadOnlyList<int> fallback = fallbackOrder(preferred);
        return nodemask is null && cpuset is null
            ? fallback
            : fallback.Where(n => (nodemask is null || nodemask.Contains(n)) && (cpuset is null || cpuset.Contains(n)));
    }
}
