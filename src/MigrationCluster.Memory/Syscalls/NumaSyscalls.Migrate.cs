using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Syscalls;

/// <summary>move_pages(2), as mm/migrate.c has it (kernel_move_pages and the functions it calls).</summary>
public sealed partial class NumaSyscalls
{
    /// <summary>
    /// move_pages(pid, count, pages, nodes, status, flags). With <paramref name="nodes"/> null it
    /// only reports where each page is. The status array starts as <see cref="MovePagesResult.Unwritten"/>.
    /// </summary>
    public ValueTask<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags) =>
        MovePages(caller, pid, pages, nodes, flags, null);

    /// <summary>
    /// move_pages(pid, count, pages, nodes, status, flags) with the status array's initial
    /// contents (one entry per page; null: <see cref="MovePagesResult.Unwritten"/>). The call
    /// writes an entry only where the kernel does: entries it leaves keep their initial value.
    /// </summary>
    public async ValueTask<MovePagesResult> MovePages(int caller, int pid, IReadOnlyList<long> pages, IReadOnlyList<int>? nodes, int flags, IReadOnlyList<int>? initialStatus)
    {
        ArgumentNullException.ThrowIfNull(pages);
        int[] status = initialStatus is null ? [.. Enumerable.Repeat(MovePagesResult.Unwritten, pages.Count)] : [.. initialStatus];
        if (status.Length != pages.Count)
        {
            throw new ArgumentException($"the status array has {status.Length} entries for {pages.Count} pages", nameof(initialStatus));
        }

        // kernel_move_pages: check flags.
        if ((flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) != 0)
        {
            return new MovePagesResult(-Errno.EINVAL, status);
        }

        if ((flags & MPOL_MF_MOVE_ALL) != 0 && !await Capable(caller))
        {
            return new MovePagesResult(-Errno.EPERM, status);
        }

        var (err, space, taskNodes) = await FindMmStruct(caller, pid);
        if (err != 0)
        {
            return new MovePagesResult(err, status);
        }

        err = nodes is null
            ? DoPagesStat(space!, pages, status)
            : await DoPagesMove(space!, taskNodes, pages, nodes, status, flags);
        return new MovePagesResult(err, status);
    }

    /// <summary>
    /// find_mm_struct: the target must exist (-ESRCH), and the caller may reach another
    /// process's pages only as ptrace_may_access allows (-EPERM), in query mode too. Also gives
    /// the target's cpuset nodes (task_nodes).
    /// </summary>
    private async ValueTask<(int Errno, AddressSpaceMemory? Space, IReadOnlyList<int> TaskNodes)> FindMmStruct(int caller, int pid)
    {
        if (await FindTask(pid) is not { } task)
        {
            return (-Errno.ESRCH, null, []);
        }

        if (!await PtraceMayAccess(caller, pid))
        {
            return (-Errno.EPERM, null, []);
        }

        // get_task_mm of a zombie is NULL: -EINVAL.
        return task.HasMm ? (0, _machine.TaskMm(pid), task.MemsAllowed) : (-Errno.EINVAL, null, []);
    }

    /// <summary>
    /// do_pages_move: walks the pages, queueing runs of pages bound for the same node and
    /// migrating each run when the node changes or a page is not queued. A bad node is checked
    /// when its page is reached: the call fails (-ENODEV, or -EACCES outside the target's cpuset),
    /// but the pages queued before it are still migrated (out_flush). Per-page errors go to the
    /// status array and do not fail the call; a run that leaves pages unmigrated ends it.
    /// </summary>
    private async ValueTask<int> DoPagesMove(AddressSpaceMemory space, IReadOnlyList<int> taskNodes, IReadOnlyList<long> pages, IReadOnlyList<int> nodes, int[] status, int flags)
    {
        int currentNode = NodeMask.NumaNoNode;
        var pagelist = new List<MigrationRequest>();
        int start = 0, i, err = 0;
        for (i = 0; i < pages.Count; i++)
        {
            // get_user(node, nodes + i) past the end of the array.
            err = -Errno.EFAULT;
            if (i >= nodes.Count)
            {
                break;
            }

            int node = nodes[i];
            err = -Errno.ENODEV;
            if (node < 0 || node >= NumaTopology.MaxNumNodes || !NodeHasMemory(node))
            {
                break;
            }

            err = -Errno.EACCES;
            if (!taskNodes.Contains(node))
            {
                break;
            }

            if (currentNode == NodeMask.NumaNoNode)
            {
                currentNode = node;
                start = i;
            }
            else if (node != currentNode)
            {
                err = await MovePagesAndStoreStatus(currentNode, pagelist, status, start, i, pages.Count);
                if (err != 0)
                {
                    return err;
                }

                start = i;
                currentNode = node;
            }

            // Errors in the page lookup or isolation are not fatal: they go to the status array.
            err = await AddPageForMigration(space, pages[i], currentNode, pagelist, (flags & MPOL_MF_MOVE_ALL) != 0);
            if (err > 0)
            {
                // The page is queued for migration.
                continue;
            }

            // If the page is already on the target node (!err), store the node, otherwise the error.
            StoreStatus(status, i, err != 0 ? err : currentNode, 1);
            err = await MovePagesAndStoreStatus(currentNode, pagelist, status, start, i, pages.Count);
            if (err != 0)
            {
                // Page i is accounted for.
                return err > 0 ? err - 1 : err;
            }

            currentNode = NodeMask.NumaNoNode;
        }

        // out_flush: migrate what is queued, without overwriting an error already met.
        int err1 = await MovePagesAndStoreStatus(currentNode, pagelist, status, start, i, pages.Count);
        return err >= 0 ? err1 : err;
    }

    /// <summary>
    /// move_pages_and_store_status: migrates the queued pages [start, i) to <paramref name="node"/>
    /// and stores the node as their status. If pages stay unmigrated (since 4.17) nothing is
    /// stored for the run, and the pages not yet attempted, [i, nr_pages), are added to the count.
    /// </summary>
    private async ValueTask<int> MovePagesAndStoreStatus(int node, List<MigrationRequest> pagelist, int[] status, int start, int i, int nrPages)
    {
        if (pagelist.Count == 0)
        {
            return 0;
        }

        int err = await DoMovePagesToNode(pagelist, node);
        if (err != 0)
        {
            // A positive count of failed pages: the call ends, and the rest count as not migrated.
            return err > 0 ? err + (nrPages - i) : err;
        }

        StoreStatus(status, start, node, i - start);
        return 0;
    }

    /// <summary>do_move_pages_to_node: migrate_pages(MIGRATE_SYNC, MR_SYSCALL) onto that node only (__GFP_THISNODE).</summary>
    private async ValueTask<int> DoMovePagesToNode(List<MigrationRequest> pagelist, int node)
    {
        MigrateResult result = await Migrate(pagelist, MigrateMode.Sync, MigrateReason.Syscall);
        pagelist.Clear();
        return result.ReturnValue;
    }

    private static void StoreStatus(int[] status, int start, int value, int count) => Array.Fill(status, value, start, count);

    /// <summary>
    /// add_page_for_migration: 1 when the page is isolated and queued; 0 when it is already on
    /// the node; else the errno its status gets: -EFAULT outside every VMA or for the zero page
    /// (FOLL_DUMP skips special pages), -ENOENT not present, -EACCES mapped by other processes
    /// without MPOL_MF_MOVE_ALL, -EBUSY when it cannot be isolated (already queued, for one).
    /// </summary>
    private async ValueTask<int> AddPageForMigration(AddressSpaceMemory space, long virtualPage, int node, List<MigrationRequest> pagelist, bool migrateAll)
    {
        var (page, err) = FollowPage(space, virtualPage);
        if (err != 0)
        {
            return err;
        }

        if (page.Node == node)
        {
            return 0;
        }

        // The mapcount test, then folio_isolate_lru: one step on the page's node. A tail page
        // queues its whole folio; another page of a folio already queued is -EBUSY.
        FolioIsolation folio = await _machine.IsolateForMigration(page, migrateAll);
        switch (folio.Result)
        {
            case IsolateResult.Shared:
                return -Errno.EACCES;
            case IsolateResult.Busy:
                return -Errno.EBUSY;
        }

        pagelist.Add(new MigrationRequest(new PageRef(page.Node, folio.Head), node, folio.Order));
        return 1;
    }

    /// <summary>do_pages_stat: the node of each page, -EFAULT outside every VMA and for the zero page, -ENOENT not present.</summary>
    private static int DoPagesStat(AddressSpaceMemory space, IReadOnlyList<long> pages, int[] status)
    {
        for (int i = 0; i < pages.Count; i++)
        {
            var (page, err) = FollowPage(space, pages[i]);
            status[i] = err != 0 ? err : page.Node;
        }

        return 0;
    }

    /// <summary>
    /// vma_lookup then follow_page(FOLL_GET | FOLL_DUMP): the page a PTE maps. A migration entry
    /// is not a present page (-ENOENT); the zero page is a special page FOLL_DUMP refuses (-EFAULT).
    /// </summary>
    private static (PageRef Page, int Errno) FollowPage(AddressSpaceMemory space, long virtualPage)
    {
        if (space.FindVma(virtualPage) is null)
        {
            return (PageRef.None, -Errno.EFAULT);
        }

        Pte pte = space.GetPte(virtualPage);
        return pte.Kind switch
        {
            PteKind.Present => (pte.Page, 0),
            PteKind.ZeroPage => (PageRef.None, -Errno.EFAULT),
            _ => (PageRef.None, -Errno.ENOENT),
        };
    }
}
