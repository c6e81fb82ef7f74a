using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>migrate_pages(2) and mbind(2), as mm/mempolicy.c has them.</summary>
public sealed partial class NumaSyscalls
{
    /// <summary>MPOL_MF_VALID: the flags mbind accepts.</summary>
    private const int MpolMfValid = MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL;

    /// <summary>
    /// migrate_pages(pid, maxnode, old_nodes, new_nodes) (kernel_migrate_pages): the pages of the
    /// process on the old nodes move to the new nodes, as <see cref="DoMigratePages"/> pairs them.
    /// Returns the number of pages not moved, or -errno.
    /// </summary>
    public async ValueTask<int> MigratePagesSyscall(int caller, int pid, IReadOnlyCollection<int> fromNodes, IReadOnlyCollection<int> toNodes)
    {
        ArgumentNullException.ThrowIfNull(fromNodes);
        ArgumentNullException.ThrowIfNull(toNodes);
        // get_nodes: a bit past MAX_NUMNODES is -EINVAL.
        if (fromNodes.Concat(toNodes).Any(n => n is < 0 or >= NumaTopology.MaxNumNodes))
        {
            return -Errno.EINVAL;
        }

        int[] old = NodeMask.Of(fromNodes);
        int[] @new = NodeMask.Of(toNodes);
        if (await FindTask(pid) is not { } task)
        {
            return -Errno.ESRCH;
        }

        if (!await PtraceMayAccess(caller, pid))
        {
            return -Errno.EPERM;
        }

        // Is the user allowed to access the target nodes? Checked against the target's cpuset,
        // whose nodes are those with memory, before the new set is masked: a memoryless node in
        // it is -EPERM without CAP_SYS_NICE.
        if (!NodeMask.IsSubset(@new, task.MemsAllowed) && !await Capable(caller))
        {
            return -Errno.EPERM;
        }

        @new = NodeMask.And(@new, await CpusetMemsAllowed(caller));
        if (@new.Length == 0)
        {
            return -Errno.EINVAL;
        }

        // get_task_mm: a zombie has none (find_task_by_vpid found it, so not -ESRCH).
        if (!task.HasMm)
        {
            return -Errno.EINVAL;
        }

        AddressSpaceMemory space = _machine.TaskMm(pid);

        return await DoMigratePages(space, old, @new, await Capable(caller) ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE);
    }

    /// <summary>
    /// do_migrate_pages: moves each page once. It repeatedly picks a (source, dest) pair from the
    /// sources left, preferring a dest that is not itself a source still to go (so [2,3,4] ->
    /// [3,4,5] runs 4->5, 3->4, 2->3), with dest = node_remap(source); when the two sets differ in
    /// weight a source that is also in the new set stays put. Returns the pages not moved.
    /// </summary>
    private async ValueTask<int> DoMigratePages(AddressSpaceMemory space, int[] from, int[] to, int flags)
    {
        int busy = 0, err = 0;
        var tmp = new SortedSet<int>(from);
        while (tmp.Count > 0)
        {
            int source = NodeMask.NumaNoNode, dest = 0;
            foreach (int s in tmp)
            {
                // Node sets of different sizes cannot keep the nodes' relative placement: skip
                // copying from a node that is in the destination set ([0-7] -> [3,4,5] moves 0,1,2,6,7).
                if (from.Length != to.Length && Array.IndexOf(to, s) >= 0)
                {
                    continue;
                }

                int d = NodeMask.NodeRemap(s, from, to);
                if (s == d)
                {
                    continue;
                }

                // Node moved: remember it; a dest that is not a remaining source is the best pick.
                source = s;
                dest = d;
                if (!tmp.Contains(dest))
                {
                    break;
                }
            }

            if (source == NodeMask.NumaNoNode)
            {
                break;
            }

            tmp.Remove(source);
            err = await MigrateToNode(space, source, dest, flags);
            if (err > 0)
            {
                busy += err;
            }

            if (err < 0)
            {
                break;
            }
        }

        return err < 0 ? err : busy;
    }

    /// <summary>
    /// migrate_to_node: queues every page of the address space on <paramref name="source"/>
    /// (queue_pages_range with MPOL_MF_DISCONTIG_OK) and migrates them to exactly
    /// <paramref name="dest"/>. Returns the pages not moved (isolation failures included).
    /// </summary>
    private async ValueTask<int> MigrateToNode(AddressSpaceMemory space, int source, int dest, int flags)
    {
        if (space.Vmas.Count == 0)
        {
            return 0;
        }

        var queued = new List<(PageRef Page, long VirtualPage, int Order)>();
        long nrFailed = await QueuePagesRange(space, space.Vmas[0].Start, long.MaxValue, [source], flags, invert: false, discontigOk: true, queued);
        int err = 0;
        if (queued.Count > 0)
        {
            err = (await Migrate([.. queued.Select(q => new MigrationRequest(q.Page, dest, q.Order))], MigrateMode.Sync, MigrateReason.Syscall)).ReturnValue;
        }

        return err >= 0 ? err + (int)nrFailed : err;
    }

    /// <summary>
    /// mbind(addr, len, mode, nodemask, maxnode, flags) over [<paramref name="start"/>,
    /// start + <paramref name="pages"/>) of the calling process <paramref name="pid"/>, with the
    /// mask given as node ids and read in full (maxnode past its highest bit).
    /// </summary>
    public ValueTask<int> Mbind(int pid, long start, long pages, MemPolicyMode mode, IReadOnlyList<int> nodes, int flags)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        return Mbind(pid, start, pages, (int)mode, nodes, FullMaxnode(nodes), flags);
    }

    /// <summary>A maxnode that reads every bit of <paramref name="nodes"/> (at least MAX_NUMNODES + 1).</summary>
    public static long FullMaxnode(IEnumerable<int>? nodes) => Math.Max(NumaTopology.MaxNumNodes, nodes?.DefaultIfEmpty(0).Max() + 1 ?? 0) + 1;

    /// <summary>
    /// mbind(addr, len, mode, nodemask, maxnode, flags) (kernel_mbind, do_mbind): <paramref name="mode"/>
    /// carries the mode flags (sanitize_mpol_flags) and the mask is read as get_nodes reads it.
    /// Sets the policy of the range (mbind_range; on a shmem mapping, the object's shared
    /// policy: shmem_set_policy) and, with MPOL_MF_MOVE(_ALL), migrates the pages on nodes
    /// outside the mask by the new policy. MPOL_MF_STRICT makes a page that should move and
    /// cannot -EIO. On a regular file mapping the policy is stored but faults ignore it.
    /// </summary>
    public async ValueTask<int> Mbind(int pid, long start, long pages, int mode, IReadOnlyList<int>? nodes, long maxnode, int flags)
    {
        if (await FindTask(pid) is not { } task)
        {
            return -Errno.ESRCH;
        }

        AddressSpaceMemory space = _machine.TaskMm(pid);

        // kernel_mbind: the mode word, then get_nodes.
        int err = SanitizeMpolFlags(ref mode, out int modeFlags);
        if (err != 0)
        {
            return err;
        }

        err = GetNodes(nodes, maxnode, out int[] nmask);
        if (err != 0)
        {
            return err;
        }

        // do_mbind.
        if ((flags & ~MpolMfValid) != 0)
        {
            return -Errno.EINVAL;
        }

        if ((flags & MPOL_MF_MOVE_ALL) != 0 && !task.Privileged)
        {
            return -Errno.EPERM;
        }

        if (pages < 0)
        {
            return -Errno.EINVAL;
        }

        if (mode == (int)MemPolicyMode.Default)
        {
            flags &= ~MPOL_MF_STRICT;
        }

        if (pages == 0)
        {
            return 0;
        }

        err = MpolNew((MemPolicyMode)mode, modeFlags, nmask, task.MemsAllowed, out MemPolicy? policy);
        if (err != 0)
        {
            return err;
        }

        long end = start + pages;
        var queued = new List<(PageRef Page, long VirtualPage, int Order)>();
        // Queue the pages on nodes outside the user's mask (MPOL_MF_INVERT); MPOL_DEFAULT's mask
        // is empty, so every page of the range. A hole in the range is -EFAULT, but for MPOL_DEFAULT.
        long nrFailed = await QueuePagesRange(space, start, end, nmask, flags, invert: true, discontigOk: policy is null, queued);
        if (nrFailed < 0)
        {
            err = (int)nrFailed;
            nrFailed = 0;
        }
        else
        {
            await MbindRange(space, start, end, policy);
        }

        if (err == 0 && queued.Count > 0)
        {
            // alloc_migration_target_by_mpol: by the new policy; MPOL_DEFAULT's NULL is the task
            // policy (local allocation without one). The pages that fail go back to the LRU
            // inside migrate_pages; its -ENOMEM is a failure too (nr_failed |= ...).
            List<MigrationRequest> pagelist = await MigrationTargets(space, policy ?? space.TaskPolicy ?? MemPolicy.Default, queued);
            long rc = (await Migrate(pagelist, MigrateMode.Sync, MigrateReason.MempolicyMbind)).ReturnValue;
            nrFailed |= rc;
        }

        if (nrFailed != 0 && (flags & MPOL_MF_STRICT) != 0)
        {
            err = -Errno.EIO;
        }

        return err;
    }

    /// <summary>
    /// mbind_range and vma_replace_policy over [<paramref name="start"/>, <paramref name="end"/>):
    /// each VMA there takes the policy (vma->vm_policy); a shmem VMA also hands it to its object
    /// (vm_ops->set_policy, shmem_set_policy) for the indexes it maps, so every mapper's faults follow it.
    /// </summary>
    private async ValueTask MbindRange(AddressSpaceMemory space, long start, long end, MemPolicy? policy)
    {
        space.SetPolicy(start, end, policy ?? MemPolicy.Default);
        foreach (Vma vma in space.Vmas.Where(v => v.Kind == VmaKind.AnonShared && v.Start < end && v.End > start).ToList())
        {
            long from = Math.Max(start, vma.Start), to = Math.Min(end, vma.End);
            await _machine.ShmemSetPolicy(vma.Mapping, vma.IndexOf(from), vma.IndexOf(to - 1) + 1, policy);
        }
    }

    /// <summary>
    /// Where each queued page goes: the first node of the policy's allocation order with a frame
    /// left (the allocation may fall back, as alloc_migration_target_by_mpol's has no __GFP_THISNODE).
    /// </summary>
    private async ValueTask<List<MigrationRequest>> MigrationTargets(AddressSpaceMemory space, MemPolicy policy, List<(PageRef Page, long VirtualPage, int Order)> queued)
    {
        var planned = new Dictionary<int, int>();
        var free = new Dictionary<int, long>();
        var pagelist = new List<MigrationRequest>(queued.Count);
        foreach (var (page, virtualPage, folioOrder) in queued)
        {
            long ilx = AllocationNodes.MigrationInterleaveIndex(space.FindVma(virtualPage)!, virtualPage);
            IReadOnlyList<int> order = _machine.AllocationOrder(space, policy, ilx);
            int target = order.Count > 0 ? order[0] : page.Node;
            foreach (int n in order)
            {
                // Nothing is allocated until the migration runs, so one look at each node's free frames is enough.
                if (!free.TryGetValue(n, out long left))
                {
                    left = free[n] = await _machine.FreePages(n);
                }

                if (left > planned.GetValueOrDefault(n))
                {
                    target = n;
                    break;
                }
            }

            planned[target] = planned.GetValueOrDefault(target) + 1;
            pagelist.Add(new MigrationRequest(page, target, folioOrder));
        }

        return pagelist;
    }

    /// <summary>
    /// queue_pages_range over [<paramref name="start"/>, <paramref name="end"/>): walks the VMAs
    /// in address order (queue_pages_test_walk, then queue_folios_pte_range) and isolates into
    /// <paramref name="queued"/> each present page whose node is in <paramref name="nmask"/>
    /// (not in it, with <paramref name="invert"/>). The zero page is never queued. Returns the
    /// number of pages that should have been queued and could not be, or -EFAULT for a hole (no
    /// VMA at all in the range, or any gap unless <paramref name="discontigOk"/>), or -EIO at the
    /// first such page when MPOL_MF_STRICT comes without a move flag.
    /// </summary>
    private async ValueTask<long> QueuePagesRange(AddressSpaceMemory space, long start, long end, int[] nmask, int flags, bool invert, bool discontigOk, List<(PageRef Page, long VirtualPage, int Order)> queued)
    {
        Vma? first = null;
        long nrFailed = 0;
        IReadOnlyList<Vma> vmas = space.Vmas;
        for (int k = 0; k < vmas.Count; k++)
        {
            Vma vma = vmas[k];
            if (vma.End <= start || vma.Start >= end)
            {
                continue;
            }

            // queue_pages_test_walk: range checks first.
            if (first is null)
            {
                first = vma;
                if (!discontigOk && start < vma.Start)
                {
                    // Hole at the head of the range.
                    await PutbackQueued(queued);
                    return -Errno.EFAULT;
                }
            }

            Vma? next = k + 1 < vmas.Count ? vmas[k + 1] : null;
            if (!discontigOk && vma.End < end && (next is null || vma.End < next.Start))
            {
                // Hole in the middle or at the tail of the range.
                await PutbackQueued(queued);
                return -Errno.EFAULT;
            }

            if ((flags & MpolMfValid) == 0)
            {
                // Only the policy changes: no page is looked at.
                continue;
            }

            for (long v = Math.Max(start, vma.Start); v < Math.Min(end, vma.End); v++)
            {
                Pte pte = space.GetPte(v);
                // vm_normal_folio: no page for an empty PTE, a migration entry or the zero page.
                if (pte.Kind != PteKind.Present)
                {
                    continue;
                }

                // queue_folio_required.
                if ((Array.IndexOf(nmask, pte.Page.Node) >= 0) == invert)
                {
                    continue;
                }

                if ((flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) == 0 || !await MigrateFolioAdd(pte.Page, v, flags, queued))
                {
                    nrFailed++;
                    // STRICT without a move flag: do_mbind fails at once with -EIO.
                    if (StrictlyUnmovable(flags))
                    {
                        await PutbackQueued(queued);
                        return -Errno.EIO;
                    }
                }
            }
        }

        if (first is null)
        {
            // The whole range is in a hole.
            return -Errno.EFAULT;
        }

        return nrFailed;
    }

    /// <summary>
    /// migrate_folio_add: without MPOL_MF_MOVE_ALL a folio mapped by other processes is skipped,
    /// and "not migrating a shared folio is not counted as a failure"; false only when the folio
    /// cannot be isolated from its LRU list.
    /// </summary>
    private async ValueTask<bool> MigrateFolioAdd(PageRef page, long virtualPage, int flags, List<(PageRef Page, long VirtualPage, int Order)> queued)
    {
        // A large folio mapped by many PTEs is isolated once: its later pages are no failure (folio == prev).
        if (queued.Count > 0 && queued[^1].Order > 0 && queued[^1].Page.Node == page.Node && page.Pfn >= queued[^1].Page.Pfn && page.Pfn < queued[^1].Page.Pfn + (1L << queued[^1].Order))
        {
            return true;
        }

        FolioIsolation folio = await _machine.IsolateForMigration(page, (flags & MPOL_MF_MOVE_ALL) != 0);
        switch (folio.Result)
        {
            case IsolateResult.Busy:
                return false;
            case IsolateResult.Isolated:
                queued.Add((new PageRef(page.Node, folio.Head), virtualPage, folio.Order));
                break;
        }

        return true;
    }

    /// <summary>strictly_unmovable: MPOL_MF_STRICT without MPOL_MF_MOVE(_ALL) fails at the first misplaced page.</summary>
    private static bool StrictlyUnmovable(int flags) => (flags & MpolMfValid) == MPOL_MF_STRICT;

    private async ValueTask PutbackQueued(List<(PageRef Page, long VirtualPage, int Order)> queued)
    {
        await PutbackMovablePages([.. queued.Select(q => new MigrationRequest(q.Page, q.Page.Node, q.Order))]);
        queued.Clear();
    }
}
