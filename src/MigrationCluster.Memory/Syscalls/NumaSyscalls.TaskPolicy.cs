using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.AddressSpaces.MemPolicyModeFlags;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// set_mempolicy(2) and get_mempolicy(2), and the pieces of mm/mempolicy.c that mbind(2) shares
/// with them: the mode word (sanitize_mpol_flags), the user's nodemask (get_nodes,
/// copy_nodes_to_user) and the making of a policy (mpol_new, mpol_set_nodemask).
/// </summary>
public sealed partial class NumaSyscalls
{
    /// <summary>PAGE_SIZE * BITS_PER_BYTE: the most bits a nodemask argument may claim.</summary>
    private const long MaxNodemaskBits = 4096L * 8;

    private const int BitsPerLong = 64;

    /// <summary>
    /// set_mempolicy(mode, nodemask, maxnode) by the task <paramref name="pid"/>
    /// (kernel_set_mempolicy, do_set_mempolicy): <paramref name="mode"/> carries the mode flags;
    /// <paramref name="nodemask"/> is the set bits of the user's mask (null: a NULL pointer).
    /// The new policy becomes the task's; an interleaving one restarts the task's interleave
    /// state (il_prev = MAX_NUMNODES - 1). Returns 0 or -errno.
    /// </summary>
    public async ValueTask<int> SetMempolicy(int pid, int mode, IReadOnlyList<int>? nodemask, long maxnode)
    {
        if (await FindTask(pid) is not { } task)
        {
            return -Errno.ESRCH;
        }

        int err = SanitizeMpolFlags(ref mode, out int modeFlags);
        if (err != 0)
        {
            return err;
        }

        err = GetNodes(nodemask, maxnode, out int[] nodes);
        if (err != 0)
        {
            return err;
        }

        err = MpolNew((MemPolicyMode)mode, modeFlags, nodes, task.MemsAllowed, out MemPolicy? policy);
        if (err != 0)
        {
            return err;
        }

        AddressSpaceMemory space = _machine.TaskMm(pid);
        space.TaskPolicy = policy;
        if (policy is { Interleaves: true })
        {
            space.IlPrev = NumaTopology.MaxNumNodes - 1;
            space.IlWeight = 0;
        }

        return 0;
    }

    /// <summary>
    /// get_mempolicy(&amp;mode, nodemask, maxnode, addr, flags) by the task <paramref name="pid"/>
    /// (kernel_get_mempolicy, do_get_mempolicy). <paramref name="virtualPage"/> is addr's page
    /// (null: addr 0); <paramref name="wantNodemask"/> says whether a nodemask buffer of
    /// <paramref name="maxnode"/> bits was passed.
    /// </summary>
    public async ValueTask<GetMempolicyResult> GetMempolicy(int pid, bool wantNodemask, long maxnode, long? virtualPage, int flags)
    {
        if (await FindTask(pid) is not { } task)
        {
            return GetMempolicyResult.Error(-Errno.ESRCH);
        }

        // kernel_get_mempolicy: a buffer smaller than nr_node_ids bits.
        if (wantNodemask && maxnode < _machine.NrNodeIds)
        {
            return GetMempolicyResult.Error(-Errno.EINVAL);
        }

        AddressSpaceMemory space = _machine.TaskMm(pid);
        if ((flags & ~(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED)) != 0)
        {
            return GetMempolicyResult.Error(-Errno.EINVAL);
        }

        int mode;
        int[] nodes;
        if ((flags & MPOL_F_MEMS_ALLOWED) != 0)
        {
            if ((flags & (MPOL_F_NODE | MPOL_F_ADDR)) != 0)
            {
                return GetMempolicyResult.Error(-Errno.EINVAL);
            }

            mode = 0;
            nodes = [.. task.MemsAllowed];
            return CopyNodesToUser(0, nodes, wantNodemask, maxnode);
        }

        MemPolicy? pol = space.TaskPolicy;
        if ((flags & MPOL_F_ADDR) != 0)
        {
            // Do not fall back to the task policy: no VMA or shared policy is MPOL_DEFAULT.
            if (virtualPage is not { } v || space.FindVma(v) is not { } vma)
            {
                return GetMempolicyResult.Error(-Errno.EFAULT);
            }

            pol = await GetVmaPolicy(space, vma, v);
        }
        else if (virtualPage is not null)
        {
            return GetMempolicyResult.Error(-Errno.EINVAL);
        }

        pol ??= MemPolicy.Default;
        if ((flags & MPOL_F_NODE) != 0)
        {
            if ((flags & MPOL_F_ADDR) != 0)
            {
                // lookup_node: get_user_pages faults the page in and reports its node.
                var (errno, page) = await _machine.GetUserPage(pid, virtualPage!.Value);
                if (errno < 0)
                {
                    return GetMempolicyResult.Error(errno);
                }

                // follow_page_pte hands get_user_pages the zero page itself (is_zero_pfn), and
                // page_to_nid names the node of its memory.
                mode = page.IsNone ? ZeroPageNode : page.Node;
            }
            else if (ReferenceEquals(pol, space.TaskPolicy) && pol.Mode == MemPolicyMode.Interleave)
            {
                mode = NodeMask.NextNodeIn(space.IlPrev, pol.Nodes);
            }
            else if (ReferenceEquals(pol, space.TaskPolicy) && pol.Mode == MemPolicyMode.WeightedInterleave)
            {
                mode = space.IlWeight != 0 ? space.IlPrev : NodeMask.NextNodeIn(space.IlPrev, pol.Nodes);
            }
            else
            {
                return GetMempolicyResult.Error(-Errno.EINVAL);
            }
        }
        else
        {
            mode = pol.ModeWord;
        }

        // The user's mask for a static or relative policy; else get_policy_nodemask (MPOL_LOCAL and the default: empty).
        nodes = pol.StoresUserNodemask ? [.. pol.UserNodemask] : [.. pol.Nodes];
        return CopyNodesToUser(mode, nodes, wantNodemask, maxnode);
    }

    /// <summary>
    /// page_to_nid(ZERO_PAGE(0)): empty_zero_page is part of the kernel image, which is loaded in
    /// low physical memory, so it sits on the first node that has memory (not node 0 when node 0
    /// is memoryless).
    /// </summary>
    private int ZeroPageNode => _machine.NodesWithMemory[0];

    /// <summary>
    /// __get_vma_policy: a shmem mapping's policy is its object's (shmem_get_policy); any other
    /// VMA's is the one mbind set on it (vma->vm_policy), also for a file mapping whose faults ignore it.
    /// </summary>
    private async ValueTask<MemPolicy?> GetVmaPolicy(AddressSpaceMemory space, Vma vma, long virtualPage) => vma.Kind == VmaKind.AnonShared
        ? await _machine.ShmemGetPolicy(vma.Mapping, vma.IndexOf(virtualPage))
        : space.VmaPolicy(virtualPage);

    /// <summary>
    /// The task's cpuset memory nodes become <paramref name="mems"/> (a write to cpuset.mems,
    /// cpuset_update_task_nodemask): the task policy and its VMAs' policies are rebound
    /// (mpol_rebind_task, mpol_rebind_mm). Pages stay where they are (cpuset.memory_migrate off).
    /// </summary>
    public static void CpusetUpdateTaskNodemask(AddressSpaceMemory space, IReadOnlyList<int> mems, IReadOnlyList<int> nodesWithMemory)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(mems);
        space.MemsAllowed = [.. mems];
        space.RebindPolicies(AllocationNodes.CpusetMemsAllowed(space.MemsAllowed, nodesWithMemory));
    }

    /// <summary>
    /// copy_nodes_to_user: the mask goes out in whole longs of the user's maxnode - 1 bits, but
    /// no further than nr_node_ids bits' longs (the rest of the buffer is cleared); a buffer
    /// past a page that the kernel would have to clear is -EINVAL.
    /// </summary>
    private GetMempolicyResult CopyNodesToUser(int mode, int[] nodes, bool wantNodemask, long maxnode)
    {
        if (!wantNodemask)
        {
            return new GetMempolicyResult(0, mode, null);
        }

        long copyBits = AlignUp(maxnode - 1, BitsPerLong);
        long nbits = AlignUp(_machine.NrNodeIds, BitsPerLong);
        if (copyBits > nbits)
        {
            if (copyBits / 8 > 4096)
            {
                return GetMempolicyResult.Error(-Errno.EINVAL);
            }

            copyBits = nbits;
        }

        return new GetMempolicyResult(0, mode, [.. nodes.Where(n => n < copyBits).Order()]);

        static long AlignUp(long value, long to) => (value + to - 1) / to * to;
    }

    /// <summary>
    /// sanitize_mpol_flags: the mode flags leave the mode word; a mode past MPOL_MAX, static and
    /// relative together, or MPOL_F_NUMA_BALANCING on a mode other than MPOL_BIND or
    /// MPOL_PREFERRED_MANY is -EINVAL.
    /// </summary>
    private static int SanitizeMpolFlags(ref int mode, out int flags)
    {
        flags = mode & MPOL_MODE_FLAGS;
        mode &= ~MPOL_MODE_FLAGS;
        if ((uint)mode > (uint)MemPolicyMode.WeightedInterleave)
        {
            return -Errno.EINVAL;
        }

        if ((flags & MPOL_F_STATIC_NODES) != 0 && (flags & MPOL_F_RELATIVE_NODES) != 0)
        {
            return -Errno.EINVAL;
        }

        if ((flags & MPOL_F_NUMA_BALANCING) != 0 && mode is not ((int)MemPolicyMode.Bind or (int)MemPolicyMode.PreferredMany))
        {
            return -Errno.EINVAL;
        }

        return 0;
    }

    /// <summary>
    /// get_nodes: the kernel reads maxnode - 1 bits of the user's mask (so libnuma passes one
    /// more than it means); bits from there on are ignored. Bits at or past MAX_NUMNODES within
    /// those must be zero, else -EINVAL, and so is a maxnode over a page of bits (0 included: it
    /// wraps). A NULL mask, or maxnode 1, is the empty set.
    /// </summary>
    private static int GetNodes(IReadOnlyList<int>? nodemask, long maxnode, out int[] nodes)
    {
        nodes = [];
        ulong bits = unchecked((ulong)maxnode - 1);
        if (bits == 0 || nodemask is null)
        {
            return 0;
        }

        if (bits > MaxNodemaskBits)
        {
            return -Errno.EINVAL;
        }

        if (nodemask.Any(n => n >= NumaTopology.MaxNumNodes && (ulong)n < bits))
        {
            return -Errno.EINVAL;
        }

        nodes = NodeMask.Of(nodemask.Where(n => n >= 0 && (ulong)n < bits && n < NumaTopology.MaxNumNodes));
        return 0;
    }

    /// <summary>
    /// mpol_new and mpol_set_nodemask: MPOL_DEFAULT takes no nodes (a null policy);
    /// MPOL_PREFERRED with none is MPOL_LOCAL (but not with a static or relative flag); MPOL_LOCAL
    /// takes none; the other modes need nodes. The mask then keeps the nodes with memory the
    /// task's cpuset allows (<paramref name="memsAllowed"/>), or with MPOL_F_RELATIVE_NODES is
    /// taken relative to them; an empty result is -EINVAL. MPOL_PREFERRED keeps the first node.
    /// A static or relative policy remembers the user's mask, any other the cpuset's nodes.
    /// </summary>
    private static int MpolNew(MemPolicyMode mode, int flags, int[] nodes, IReadOnlyList<int> memsAllowed, out MemPolicy? policy)
    {
        policy = null;
        bool staticOrRelative = (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) != 0;
        switch (mode)
        {
            case MemPolicyMode.Default:
                return nodes.Length == 0 ? 0 : -Errno.EINVAL;
            case MemPolicyMode.Preferred when nodes.Length == 0:
                if (staticOrRelative)
                {
                    return -Errno.EINVAL;
                }

                mode = MemPolicyMode.Local;
                break;
            case MemPolicyMode.Local:
                if (nodes.Length != 0 || staticOrRelative)
                {
                    return -Errno.EINVAL;
                }

                break;
            default:
                if (nodes.Length == 0)
                {
                    return -Errno.EINVAL;
                }

                break;
        }

        if (mode == MemPolicyMode.Local)
        {
            // Local allocation is not remapped and needs no node.
            policy = new MemPolicy(MemPolicyMode.Local, []) { Flags = flags };
            return 0;
        }

        int[] allowed = (flags & MPOL_F_RELATIVE_NODES) != 0
            ? NodeMask.Relative(nodes, memsAllowed)
            : NodeMask.And(nodes, memsAllowed);
        if (allowed.Length == 0)
        {
            return -Errno.EINVAL;
        }

        policy = new MemPolicy(mode, mode == MemPolicyMode.Preferred ? [allowed[0]] : allowed)
        {
            Flags = flags,
            UserNodemask = staticOrRelative ? nodes : [],
            CpusetMemsAllowed = staticOrRelative ? [] : [.. memsAllowed],
        };
        return 0;
    }
}
