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

    /// <summary>NO_INTERLEAVE_INDEX: an allocation with no offset to interleave by (the task's il_prev picks the node).</summary>
    public const long NoInterleaveIndex = -1;

    /// <summary>
    /// The policy a fault at <paramref name="virtualPage"/> of <paramref name="vma"/> allocates by,
    /// and its interleave index:
    /// <list type="bullet">
    /// <item>private anonymous memory (vma_alloc_folio, get_vma_policy): the VMA's policy, else the
    /// task's; the index is vm_pgoff plus the page's offset in the VMA, its virtual page;</item>
    /// <item>shmem (shmem_alloc_folio, shmem_get_pgoff_policy): the object's shared policy
    /// <paramref name="sharedPolicy"/>, else the task's; the index is the inode number (the
    /// mapping) plus the page's index in the object;</item>
    /// <item>a regular file's page cache (filemap_alloc_folio): the task's policy alone, whatever
    /// mbind set on the mapping, with no interleave index (mbind(2): the policy is ignored for
    /// MAP_SHARED file mappings).</item>
    /// </list>
    /// No policy at all is the system default, local allocation.
    /// </summary>
    public static (MemPolicy Policy, long Ilx) FaultPolicy(AddressSpaceMemory space, Vma vma, long virtualPage, MemPolicy? sharedPolicy)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(vma);
        MemPolicy task = space.TaskPolicy ?? MemPolicy.Default;
        return vma.Kind switch
        {
            VmaKind.File or VmaKind.FilePrivate => (task, NoInterleaveIndex),
            VmaKind.AnonShared => (sharedPolicy ?? task, ShmemInterleaveIndex(vma.Mapping, vma.IndexOf(virtualPage))),
            _ => (space.VmaPolicy(virtualPage) ?? task, vma.IndexOf(virtualPage)),
        };
    }

    /// <summary>
    /// The policy of a copy-on-write page (do_cow_fault, wp_page_copy: vma_alloc_folio): the VMA's
    /// policy, else the task's, with the page's offset as the interleave index (get_vma_policy).
    /// </summary>
    public static (MemPolicy Policy, long Ilx) CowPolicy(AddressSpaceMemory space, Vma vma, long virtualPage)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(vma);
        return (space.VmaPolicy(virtualPage) ?? space.TaskPolicy ?? MemPolicy.Default, vma.IndexOf(virtualPage));
    }

    /// <summary>The interleave index of a shmem page: the inode number biases the page's index (shmem_get_pgoff_policy).</summary>
    public static long ShmemInterleaveIndex(int mapping, long index) => mapping + index;

    /// <summary>
    /// The interleave index alloc_migration_target_by_mpol gives a page of <paramref name="vma"/>
    /// at <paramref name="virtualPage"/>: as its fault would have (the base from get_vma_policy
    /// plus the folio's index), so a page moved by mbind lands where a fault would put it.
    /// </summary>
    public static long MigrationInterleaveIndex(Vma vma, long virtualPage)
    {
        ArgumentNullException.ThrowIfNull(vma);
        long index = vma.IndexOf(virtualPage);
        return vma.Kind == VmaKind.AnonShared ? ShmemInterleaveIndex(vma.Mapping, index) : index;
    }

    /// <summary>
    /// policy_nodemask's node for an allocation by <paramref name="space"/>'s task under
    /// <paramref name="policy"/>: by the interleave index, or, without one, by the task's
    /// interleave state (interleave_nodes, which advances it).
    /// </summary>
    public static int PolicyNode(MemPolicy policy, long ilx, AddressSpaceMemory space, IReadOnlyList<int>? weights)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(space);
        if (ilx == NoInterleaveIndex && policy.Interleaves && policy.Nodes.Count > 0)
        {
            int nid = space.InterleaveNodes(policy, weights);
            return nid < Topology.NumaTopology.MaxNumNodes ? nid : space.HomeNode;
        }

        return policy.PreferredNode(Math.Max(ilx, 0), space.HomeNode, weights);
    }

    /// <summary>
    /// The nodes an allocation under <paramref name="policy"/> from node <paramref name="nid"/>
    /// tries, in order (alloc_pages_mpol): the fallback list (zonelist) of that node, limited to
    /// MPOL_BIND's nodes and to the task's cpuset (user allocations are __GFP_HARDWALL); for
    /// MPOL_PREFERRED_MANY, the list's nodes in the policy's set first, then the rest
    /// (alloc_pages_preferred_many). The first with a free frame gets the page.
    /// </summary>
    public static IEnumerable<int> Order(MemPolicy policy, int nid, IReadOnlyList<int>? memsAllowed, IReadOnlyList<int> nodesWithMemory, Func<int, IReadOnlyList<int>> fallbackOrder)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(fallbackOrder);
        IReadOnlyList<int>? nodemask = policy.Nodemask;
        // The root cpuset allows every node with memory, and the fallback list holds only those.
        IReadOnlyList<int>? cpuset = memsAllowed is null ? null : CpusetMemsAllowed(memsAllowed, nodesWithMemory);
        IEnumerable<int> fallback = fallbackOrder(nid);
        if (nodemask is not null || cpuset is not null)
        {
            fallback = fallback.Where(n => (nodemask is null || nodemask.Contains(n)) && (cpuset is null || cpuset.Contains(n)));
        }

        if (policy.Mode == MemPolicyMode.PreferredMany && policy.Nodes.Count > 0)
        {
            int[] all = [.. fallback];
            return [.. all.Where(policy.Nodes.Contains), .. all.Where(n => !policy.Nodes.Contains(n))];
        }

        return fallback;
    }
}
