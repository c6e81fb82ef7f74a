using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// The protocol's steps over grains. A batch is cut into runs of pages with the same owner (old
/// node, target node, address space, or mapping owner) and each run goes to its owner in one
/// grain call; calls to different owners of one step go out together. So a batch costs a few
/// grain calls per step, not a few per page. Arguments cross the grain boundary as copies, so
/// each call's returned pages are copied back into the batch.
/// </summary>
internal sealed class GrainMigrationBackend(IGrainFactory grains) : IMigrationBackend
{
    private long _nextWaiterId = -1;

    /// <summary>Pages that waited for writeback (the cost model charges for them).</summary>
    public int WritebackWaits { get; private set; }

    private INumaNodeGrain Node(int node) => grains.GetGrain<INumaNodeGrain>(node);

    private IAddressSpaceGrain Space(int space) => grains.GetGrain<IAddressSpaceGrain>(space);

    public ValueTask LockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        // Migrations wait under negative ids so they never collide with the ids of faulting tasks.
        var waiter = _nextWaiterId--;
        return ByNode(batch, old: true, (node, run) => node.LockPage(run, mode, force, waiter));
    }

    public async ValueTask WaitOnPageWriteback(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        var waited = 0;
        await ByNode(batch, old: true, async (node, run) =>
        {
            var result = await node.WaitOnPageWriteback(run, mode, force);
            Interlocked.Add(ref waited, result.Waited);
            return result.Run;
        });
        WritebackWaits += waited;
    }

    public ValueTask LockNewPage(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run) => node.LockNewPage(run));

    public async ValueTask TryToUnmap(Memory<MigrationPage> batch, List<MigrationPte> converted)
    {
        ArgumentNullException.ThrowIfNull(converted);
        // The reverse map lives with the frames: ask each old node which PTEs map its pages.
        var walked = new List<MigrationPte>();
        await ByNode(batch, old: true, async (node, run, offset) =>
        {
            var result = await node.RmapWalk(run, offset);
            lock (walked)
            {
                walked.AddRange(result.Ptes);
            }
            return result.Run;
        });

        // PTE side: one call per address space (one TLB flush each for the whole batch).
        var snapshot = batch.ToArray();
        var bySpace = walked.GroupBy(m => m.Pte.Space).OrderBy(g => g.Key).ToArray();
        var unmapped = await Task.WhenAll(bySpace.Select(g => Space(g.Key).TryToUnmap([.. g], snapshot)));
        foreach (var part in unmapped)
        {
            converted.AddRange(part);
        }

        // Frame side: rmap entries go, then each old node checks its pages' mapcount.
        snapshot = batch.ToArray();
        var oldNodes = snapshot.Select(p => p.Old.Node).Distinct().ToArray();
        var checkedBatches = await Task.WhenAll(oldNodes.Select(n =>
            Node(n).TryToUnmap([.. converted.Where(m => snapshot[m.BatchIndex].Old.Node == n)], snapshot)));
        var span = batch.Span;
        for (var i = 0; i < oldNodes.Length; i++)
        {
            MergePages(span, checkedBatches[i], p => p.Old.Node == oldNodes[i]);
        }
    }

    public ValueTask RadixTreeLock(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeLock(pages));

    public ValueTask PageRefcountCheck(Memory<MigrationPage> batch) => ByNode(batch, old: true, (node, run) => node.PageRefcountCheck(run));

    public ValueTask RadixTreeCheck(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeCheck(pages));

    public ValueTask PrepNewPage(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run) => node.PrepNewPage(run));

    public ValueTask RadixTreeReplace(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeReplace(pages));

    public async ValueTask PageRefTransfer(Memory<MigrationPage> batch)
    {
        await ByNode(batch, old: true, (node, run) => node.PageRefTransferFrom(run));
        await ByNode(batch, old: false, (node, run) => node.PageRefTransferTo(run));
    }

    public ValueTask RadixTreeUnlock(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: false, (space, pages) => space.RadixTreeUnlock(pages));

    public async ValueTask CopyPage(Memory<MigrationPage> batch)
    {
        // The contents travel in the page descriptors: out of the old node, into the new one.
        await ByNode(batch, old: true, (node, run) => node.CopyPageFrom(run));
        await ByNode(batch, old: false, (node, run) => node.CopyPageTo(run));
    }

    public ValueTask CopyPageFlags(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run) => node.CopyPageFlags(run));

    public ValueTask ClearPageFlags(Memory<MigrationPage> batch) => ByNode(batch, old: true, (node, run) => node.ClearPageFlags(run));

    public ValueTask QueueWriteback(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run) => node.QueueWriteback(run));

    public async ValueTask RemoveMigrationPtes(Memory<MigrationPage> batch, ReadOnlyMemory<MigrationPte> converted)
    {
        var snapshot = batch.ToArray();
        var ptes = converted.ToArray();
        // PTE side first (each address space), then the frames' rmap on the page each PTE now maps.
        await Task.WhenAll(ptes.GroupBy(m => m.Pte.Space).Select(g => Space(g.Key).RemoveMigrationPtes([.. g], snapshot)));
        await Task.WhenAll(ptes
            .GroupBy(m => snapshot[m.BatchIndex].Result == 0 ? snapshot[m.BatchIndex].New.Node : snapshot[m.BatchIndex].Old.Node)
            .Select(g => Node(g.Key).RemoveMigrationPtes([.. g], snapshot)));
    }

    public async ValueTask UnlockPage(Memory<MigrationPage> batch, List<PageLockWaiter> woken)
    {
        ArgumentNullException.ThrowIfNull(woken);
        foreach (var newPages in new[] { false, true })
        {
            await ByNode(batch, old: !newPages, async (node, run) =>
            {
                var result = await node.UnlockPage(run, newPages);
                lock (woken)
                {
                    woken.AddRange(result.Woken);
                }
                return result.Run;
            });
        }
    }

    public async ValueTask PutbackLruPage(Memory<MigrationPage> batch, bool keepRetries)
    {
        await ByNode(batch, old: false, (node, run) => node.PutbackLruPage(run, keepRetries, newPages: true));
        await ByNode(batch, old: true, (node, run) => node.PutbackLruPage(run, keepRetries, newPages: false));
    }

    // ---------------------------------------------------------------- routing

    private ValueTask ByNode(Memory<MigrationPage> batch, bool old, Func<INumaNodeGrain, MigrationPage[], Task<MigrationPage[]>> step) =>
        ByNode(batch, old, (node, run, _) => step(node, run));

    /// <summary>One call per run of consecutive pages on the same node (old or target); the runs go out together.</summary>
    private async ValueTask ByNode(Memory<MigrationPage> batch, bool old, Func<INumaNodeGrain, MigrationPage[], int, Task<MigrationPage[]>> step)
    {
        var runs = new List<(int Node, int Start, int Length)>();
        var span = batch.Span;
        for (var i = 0; i < span.Length;)
        {
            var node = old ? span[i].Old.Node : span[i].TargetNode;
            var j = i + 1;
            while (j < span.Length && (old ? span[j].Old.Node : span[j].TargetNode) == node)
            {
                j++;
            }
            runs.Add((node, i, j - i));
            i = j;
        }
        var results = await Task.WhenAll(runs.Select(r => step(Node(r.Node), batch.Slice(r.Start, r.Length).ToArray(), r.Start)));
        for (var r = 0; r < runs.Count; r++)
        {
            results[r].CopyTo(batch.Span.Slice(runs[r].Start, runs[r].Length));
        }
    }

    /// <summary>One call per address space that owns the file mapping of a page in the batch.</summary>
    private async ValueTask ByMappingOwner(Memory<MigrationPage> batch, bool inFlightOnly, Func<IAddressSpaceGrain, MigrationPage[], Task<MigrationPage[]>> step)
    {
        var snapshot = batch.ToArray();
        var owners = snapshot
            .Where(p => p.IsFile && (inFlightOnly ? p.InFlight : p.Has(MigrationProgress.TreeLocked)))
            .Select(p => PageMapping.FileOwner(p.Mapping))
            .Distinct()
            .Order()
            .ToArray();
        foreach (var owner in owners)
        {
            // Sequential per owner: each owner changes only its own mappings' pages.
            var result = await step(Space(owner), batch.ToArray());
            MergePages(batch.Span, result, p => p.IsFile && PageMapping.FileOwner(p.Mapping) == owner);
        }
    }

    private static void MergePages(Span<MigrationPage> batch, MigrationPage[] returned, Func<MigrationPage, bool> owned)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            if (owned(batch[i]))
            {
                batch[i] = returned[i];
            }
        }
    }
}
