using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>
/// move_pages(2), migrate_pages(2) and mbind(2) as a user sees them, over a <see cref="MemorySystem"/>
/// and the protocol driver. Errors follow the manual pages, returned as negative errno values.
/// The caller is an address space: its <see cref="AddressSpaceMemory.Privileged"/> is CAP_SYS_NICE.
/// </summary>
public sealed class NumaSyscalls
{
    private readonly MemorySystem _system;
    private readonly MigrationProtocol _protocol;

    public NumaSyscalls(MemorySystem system, IMigrationObserver? observer = null, MigrationProtocolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _protocol = new MigrationProtocol(new InProcessMigrationBackend(system), observer, options);
    }

    /// <summary>
    /// move_pages(pid, count, pages, nodes, status, flags). With <paramref name="nodes"/> null it
    /// only reports where each page is.
    /// </summary>
    public async ValueTask<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if ((flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) != 0)
        {
            return Fail(-Errno.EINVAL);
        }

        if ((flags & MPOL_MF_MOVE_ALL) != 0 && !IsPrivileged(caller))
        {
            return Fail(-Errno.EPERM);
        }

        if (!_system.TryGetSpace(pid, out AddressSpaceMemory space))
        {
            return Fail(-Errno.ESRCH);
        }

        var status = new int[pages.Count];
        if (nodes is null)
        {
            for (int i = 0; i < pages.Count; i++)
            {
                status[i] = Locate(space, pages[i]) is var (page, err) && err == 0 ? page.Node : err;
            }

            return new MovePagesResult(0, status);
        }

        if (nodes.Count != pages.Count)
        {
            return Fail(-Errno.EFAULT);
        }

        foreach (int node in nodes)
        {
            if (!_system.NodeHasMemory(node))
            {
                return Fail(-Errno.ENODEV);
            }
        }

        bool moveAll = (flags & MPOL_MF_MOVE_ALL) != 0;
        int notMigrated = 0;
        var batch = new List<MigrationRequest>();
        var batchIndex = new List<int>();
        for (int i = 0; i < pages.Count; i++)
        {
            // do_pages_move flushes the list whenever the target node changes.
            if (batch.Count > 0 && nodes[i] != batch[0].TargetNode)
            {
                int rc = await Flush(batch, batchIndex, status, MigrateReason.Syscall);
                if (rc < 0)
                {
                    return new MovePagesResult(rc, status);
                }

                notMigrated += rc;
            }

            status[i] = AddPageForMigration(space, pages[i], nodes[i], moveAll, batch, batchIndex, i);
        }

        int last = await Flush(batch, batchIndex, status, MigrateReason.Syscall);
        return last < 0 ? new MovePagesResult(last, status) : new MovePagesResult(notMigrated + last, status);
    }

    /// <summary>
    /// migrate_pages(pid, maxnode, old_nodes, new_nodes): every page of the process on a node of
    /// <paramref name="fromNodes"/> moves to the node at the same position of <paramref name="toNodes"/>
    /// (positions wrap, as nodes_remap does). Returns the number of pages not moved, or -errno.
    /// </summary>
    public async ValueTask<int> MigratePagesSyscall(int caller, int pid, IReadOnlyCollection<int> fromNodes, IReadOnlyCollection<int> toNodes)
    {
        ArgumentNullException.ThrowIfNull(fromNodes);
        ArgumentNullException.ThrowIfNull(toNodes);
        int limit = _system.Topology.NodeIdLimit;
        if (fromNodes.Concat(toNodes).Any(n => n < 0 || n >= limit))
        {
            return -Errno.EINVAL;
        }

        if (!_system.TryGetSpace(pid, out AddressSpaceMemory space))
        {
            return -Errno.ESRCH;
        }

        bool privileged = IsPrivileged(caller);
        if (caller != pid && !privileged)
        {
            return -Errno.EPERM;
        }

        int[] from = [.. fromNodes.Distinct().Order()];
        int[] to = [.. toNodes.Distinct().Where(_system.NodeHasMemory).Order()];
        if (to.Length == 0)
        {
            return -Errno.EINVAL;
        }

        int notMigrated = 0;
        for (int k = 0; k < from.Length; k++)
        {
            int source = from[k], dest = to[k % to.Length];
            if (source == dest)
            {
                continue;
            }

            var batch = new List<MigrationRequest>();
            foreach (var (_, pte) in space.Ptes())
            {
                if (pte.Kind != PteKind.Present || pte.Page.Node != source)
                {
                    continue;
                }

                NodeMemory node = _system.Node(source);
                // Pages shared with other processes move only with CAP_SYS_NICE (MPOL_MF_MOVE_ALL).
                if ((privileged || node.Frame(pte.Page.Pfn).Mapcount == 1) && node.IsolateLruPage(pte.Page.Pfn))
                {
                    batch.Add(new MigrationRequest(pte.Page, dest));
                }
            }

            MigrateResult result = await Migrate(batch, MigrateMode.Sync, MigrateReason.Syscall);
            if (result.ReturnValue < 0)
            {
                return result.ReturnValue;
            }

            notMigrated += result.ReturnValue;
        }

        return notMigrated;
    }

    /// <summary>
    /// mbind(addr, len, mode, nodemask, maxnode, flags) over [<paramref name="start"/>,
    /// start + <paramref name="pages"/>): sets the policy and, with MPOL_MF_MOVE(_ALL), moves the
    /// pages that do not follow it. MPOL_MF_STRICT makes a page left behind -EIO.
    /// </summary>
    public async ValueTask<int> Mbind(int pid, long start, long pages, MemPolicyMode mode, IReadOnlyList<int> nodes, int flags)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (!_system.TryGetSpace(pid, out AddressSpaceMemory space))
        {
            return -Errno.ESRCH;
        }

        if ((flags & ~(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) != 0 || pages < 0 || !Enum.IsDefined(mode))
        {
            return -Errno.EINVAL;
        }

        if ((mode == MemPolicyMode.Default && nodes.Count > 0)
            || (mode is MemPolicyMode.Bind or MemPolicyMode.Interleave && nodes.Count == 0)
            || nodes.Any(n => !_system.NodeExists(n)))
        {
            return -Errno.EINVAL;
        }

        if ((flags & MPOL_MF_MOVE_ALL) != 0 && !space.Privileged)
        {
            return -Errno.EPERM;
        }

        long end = start + pages;
        for (long v = start; v < end; v++)
        {
            if (space.FindVma(v) is null)
            {
                return -Errno.EFAULT;
            }
        }

        var policy = new MemPolicy(mode, [.. nodes.Distinct().Order()]);
        space.SetPolicy(start, end, policy);

        bool move = (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) != 0;
        bool moveAll = (flags & MPOL_MF_MOVE_ALL) != 0;
        bool strict = (flags & MPOL_MF_STRICT) != 0;
        int leftBehind = 0;
        var batch = new List<MigrationRequest>();
        for (long v = start; v < end; v++)
        {
            Pte pte = space.GetPte(v);
            if (pte.Kind != PteKind.Present || policy.Allows(pte.Page.Node))
            {
                continue;
            }

            NodeMemory node = _system.Node(pte.Page.Node);
            if (!move || (!moveAll && node.Frame(pte.Page.Pfn).Mapcount > 1) || !node.IsolateLruPage(pte.Page.Pfn))
            {
                leftBehind++;
                continue;
            }

            int target = policy.NodeFor(space.FindVma(v)!.IndexOf(v), space.HomeNode);
            batch.Add(new MigrationRequest(pte.Page, _system.NodeHasMemory(target) ? target : policy.Nodes.First(_system.NodeHasMemory)));
        }

        MigrateResult result = await Migrate(batch, MigrateMode.Sync, MigrateReason.MempolicyMbind);
        if (result.ReturnValue < 0)
        {
            return result.ReturnValue;
        }

        return strict && leftBehind + result.ReturnValue > 0 ? -Errno.EIO : 0;
    }

    private async ValueTask<int> Flush(List<MigrationRequest> batch, List<int> batchIndex, int[] status, MigrateReason reason)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        MigrateResult result = await Migrate(batch, MigrateMode.Sync, reason);
        for (int k = 0; k < batch.Count; k++)
        {
            int rc = result.PageErrno[k];
            // A page that stayed busy through every pass is -EBUSY to the user.
            status[batchIndex[k]] = rc == 0 ? batch[k].TargetNode : rc == -Errno.EAGAIN ? -Errno.EBUSY : rc;
        }

        batch.Clear();
        batchIndex.Clear();
        return result.ReturnValue;
    }

    private int AddPageForMigration(AddressSpaceMemory space, long virtualPage, int target, bool moveAll, List<MigrationRequest> batch, List<int> batchIndex, int i)
    {
        var (page, err) = Locate(space, virtualPage);
        if (err != 0)
        {
            return err;
        }

        if (page.Node == target)
        {
            return target;
        }

        NodeMemory node = _system.Node(page.Node);
        if (node.Frame(page.Pfn).Mapcount > 1 && !moveAll)
        {
            return -Errno.EACCES;
        }

        if (!node.IsolateLruPage(page.Pfn))
        {
            return -Errno.EBUSY;
        }

        batch.Add(new MigrationRequest(page, target));
        batchIndex.Add(i);
        // Overwritten with the outcome when the batch is flushed.
        return -Errno.EBUSY;
    }

    private static (PageRef Page, int Errno) Locate(AddressSpaceMemory space, long virtualPage)
    {
        if (space.FindVma(virtualPage) is null)
        {
            return (PageRef.None, -Errno.EFAULT);
        }

        Pte pte = space.GetPte(virtualPage);
        return pte.Kind switch
        {
            PteKind.Present => (pte.Page, 0),
            PteKind.Migration => (PageRef.None, -Errno.EBUSY),
            _ => (PageRef.None, -Errno.ENOENT),
        };
    }

    private async ValueTask<MigrateResult> Migrate(List<MigrationRequest> batch, MigrateMode mode, MigrateReason reason)
    {
        MigrateResult result = await _protocol.MigratePages(batch, mode, reason);
        _system.VmStat.PgmigrateSuccess += result.Succeeded;
        _system.VmStat.PgmigrateFail += result.Failed;
        return result;
    }

    private bool IsPrivileged(int caller) => _system.TryGetSpace(caller, out AddressSpaceMemory s) && s.Privileged;

    private static MovePagesResult Fail(int errno) => new(errno, []);
}
