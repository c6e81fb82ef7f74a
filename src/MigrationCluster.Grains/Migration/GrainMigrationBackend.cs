using System.Runtime.InteropServices;
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
/// grain calls per step, not a few per page. A run is a window on the batch itself
/// (<see cref="BatchRun"/>): an owner on this silo changes its pages in place, and only an answer
/// from another silo (a copy) is written back into the batch.
/// </summary>
internal sealed class GrainMigrationBackend(IGrainFactory grains) : IMigrationBackend
{
    private readonly List<(int Node, int Start, int Length)> _runs = [];
    private long _nextWaiterId = -1;

    /// <summary>Pages that waited for writeback (the cost model charges for them).</summary>
    public int WritebackWaits { get; private set; }

    private readonly Dictionary<int, INumaNodeGrain> _nodes = [];
    private readonly Dictionary<int, IAddressSpaceGrain> _spaces = [];

    private INumaNodeGrain Node(int node) =>
        _nodes.TryGetValue(node, out var grain) ? grain : _nodes[node] = grains.GetGrain<INumaNodeGrain>(node);

    private IAddressSpaceGrain Space(int space) =>
        _spaces.TryGetValue(space, out var grain) ? grain : _spaces[space] = grains.GetGrain<IAddressSpaceGrain>(space);

    public ValueTask LockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        // Migrations wait under negative ids so they never collide with the ids of faulting tasks.
        var waiter = _nextWaiterId--;
        return ByNode(batch, old: true, (node, run, _) => node.LockPage(run, mode, force, waiter));
    }

    public async ValueTask WaitOnPageWriteback(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        var waited = 0;
        await ByNode(batch, old: true, async (node, run, _) =>
        {
            var result = await node.WaitOnPageWriteback(run, mode, force);
            Interlocked.Add(ref waited, result.Waited);
            return result.Run;
        });
        WritebackWaits += waited;
    }

    public ValueTask LockNewPage(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run, _) => node.LockNewPage(run));

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
                walked.AddRange(result.Ptes.Ptes);
            }
            return result.Run;
        });

        // PTE side: one call per address space (one TLB flush each for the whole batch).
        var whole = Whole(batch);
        var unmapped = await Task.WhenAll(GroupBy(CollectionsMarshal.AsSpan(walked), static (m, _) => m.Pte.Space, 0).Select(g => Space(g.Key).TryToUnmap(new PteBatch(g.Value), whole)));
        foreach (var part in unmapped)
        {
            converted.AddRange(part.Ptes);
        }

        // Frame side: rmap entries go, then each old node checks its pages' mapcount.
        var oldNode = new int[batch.Length];
        for (var i = 0; i < oldNode.Length; i++)
        {
            oldNode[i] = batch.Span[i].Old.Node;
        }
        var byOldNode = GroupBy(CollectionsMarshal.AsSpan(converted), static (m, nodes) => nodes[m.BatchIndex], oldNode);
        foreach (var node in oldNode)
        {
            byOldNode.TryAdd(node, []);
        }
        var nodes = byOldNode.Keys.Order().ToArray();
        var answers = await Task.WhenAll(nodes.Select(n => Node(n).TryToUnmap(new PteBatch(byOldNode[n]), whole)));
        for (var i = 0; i < nodes.Length; i++)
        {
            MergeIfCopied(batch, whole, answers[i], nodes[i], static (p, node) => p.Old.Node == node);
        }
    }

    public ValueTask RadixTreeLock(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeLock(pages));

    public ValueTask PageRefcountCheck(Memory<MigrationPage> batch) => ByNode(batch, old: true, (node, run, _) => node.PageRefcountCheck(run));

    public ValueTask RadixTreeCheck(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeCheck(pages));

    public ValueTask PrepNewPage(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run, _) => node.PrepNewPage(run));

    public ValueTask RadixTreeReplace(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: true, (space, pages) => space.RadixTreeReplace(pages));

    public async ValueTask PageRefTransfer(Memory<MigrationPage> batch)
    {
        await ByNode(batch, old: true, (node, run, _) => node.PageRefTransferFrom(run));
        await ByNode(batch, old: false, (node, run, _) => node.PageRefTransferTo(run));
    }

    public ValueTask RadixTreeUnlock(Memory<MigrationPage> batch) => ByMappingOwner(batch, inFlightOnly: false, (space, pages) => space.RadixTreeUnlock(pages));

    public async ValueTask CopyPage(Memory<MigrationPage> batch)
    {
        // The contents travel in the page descriptors: out of the old node, into the new one.
        await ByNode(batch, old: true, (node, run, _) => node.CopyPageFrom(run));
        await ByNode(batch, old: false, (node, run, _) => node.CopyPageTo(run));
    }

    public ValueTask CopyPageFlags(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run, _) => node.CopyPageFlags(run));

    public ValueTask ClearPageFlags(Memory<MigrationPage> batch) => ByNode(batch, old: true, (node, run, _) => node.ClearPageFlags(run));

    public ValueTask QueueWriteback(Memory<MigrationPage> batch) => ByNode(batch, old: false, (node, run, _) => node.QueueWriteback(run));

    public async ValueTask RemoveMigrationPtes(Memory<MigrationPage> batch, ReadOnlyMemory<MigrationPte> converted)
    {
        var whole = Whole(batch);
        // PTE side first (each address space), then the frames' rmap on the page each PTE now maps.
        var bySpace = GroupBy(converted.Span, static (m, _) => m.Pte.Space, 0);
        await Task.WhenAll(bySpace.Select(g => Space(g.Key).RemoveMigrationPtes(new PteBatch(g.Value), whole)));
        var nodeOf = new int[batch.Length];
        for (var i = 0; i < nodeOf.Length; i++)
        {
            ref readonly var page = ref batch.Span[i];
            nodeOf[i] = page.Result == 0 ? page.New.Node : page.Old.Node;
        }
        var byNode = GroupBy(converted.Span, static (m, nodes) => nodes[m.BatchIndex], nodeOf);
        await Task.WhenAll(byNode.Select(g => Node(g.Key).RemoveMigrationPtes(new PteBatch(g.Value), whole)));
    }

    public async ValueTask UnlockPage(Memory<MigrationPage> batch, List<PageLockWaiter> woken)
    {
        ArgumentNullException.ThrowIfNull(woken);
        foreach (var newPages in new[] { false, true })
        {
            await ByNode(batch, old: !newPages, async (node, run, _) =>
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
        await ByNode(batch, old: false, (node, run, _) => node.PutbackLruPage(run, keepRetries, newPages: true));
        await ByNode(batch, old: true, (node, run, _) => node.PutbackLruPage(run, keepRetries, newPages: false));
    }

    // ---------------------------------------------------------------- routing

    /// <summary>The batch as one window (the protocol's batches are windows on its pooled array).</summary>
    private static BatchRun Whole(Memory<MigrationPage> batch) =>
        MemoryMarshal.TryGetArray<MigrationPage>(batch, out var segment)
            ? new BatchRun(segment.Array!, segment.Offset, segment.Count)
            : BatchRun.Of(batch.ToArray());

    /// <summary>One call per run of consecutive pages on the same node (old or target); the runs go out together.</summary>
    private async ValueTask ByNode(Memory<MigrationPage> batch, bool old, Func<INumaNodeGrain, BatchRun, int, Task<BatchRun>> step)
    {
        var whole = Whole(batch);
        _runs.Clear();
        var span = batch.Span;
        for (var i = 0; i < span.Length;)
        {
            var node = old ? span[i].Old.Node : span[i].TargetNode;
            var j = i + 1;
            while (j < span.Length && (old ? span[j].Old.Node : span[j].TargetNode) == node)
            {
                j++;
            }
            _runs.Add((node, i, j - i));
            i = j;
        }
        var sent = new BatchRun[_runs.Count];
        var calls = new Task<BatchRun>[_runs.Count];
        for (var r = 0; r < _runs.Count; r++)
        {
            sent[r] = new BatchRun(whole.Pages, whole.Start + _runs[r].Start, _runs[r].Length);
            calls[r] = step(Node(_runs[r].Node), sent[r], _runs[r].Start);
        }
        var answers = await Task.WhenAll(calls);
        for (var r = 0; r < answers.Length; r++)
        {
            if (!answers[r].IsSameWindowAs(sent[r]))
            {
                // Another silo answered with a copy of the run.
                answers[r].Span.CopyTo(batch.Span.Slice(sent[r].Start - whole.Start, sent[r].Length));
            }
        }
    }

    /// <summary>One call per address space that owns the file mapping of a page in the batch.</summary>
    private async ValueTask ByMappingOwner(Memory<MigrationPage> batch, bool inFlightOnly, Func<IAddressSpaceGrain, BatchRun, Task<BatchRun>> step)
    {
        var owners = new SortedSet<int>();
        foreach (ref readonly var p in batch.Span)
        {
            if (p.IsFile && (inFlightOnly ? p.InFlight : p.Has(MigrationProgress.TreeLocked)))
            {
                owners.Add(PageMapping.FileOwner(p.Mapping));
            }
        }
        var whole = Whole(batch);
        foreach (var owner in owners)
        {
            // Sequential per owner: each owner changes only its own mappings' pages.
            var answer = await step(Space(owner), whole);
            MergeIfCopied(batch, whole, answer, owner, static (p, o) => p.IsFile && PageMapping.FileOwner(p.Mapping) == o);
        }
    }

    /// <summary>An answer from another silo: take back the pages <paramref name="owned"/> says the callee changed.</summary>
    private static void MergeIfCopied(Memory<MigrationPage> batch, BatchRun sent, BatchRun answer, int owner, Func<MigrationPage, int, bool> owned)
    {
        if (answer.IsSameWindowAs(sent))
        {
            return;
        }
        var pages = batch.Span;
        var returned = answer.Span;
        for (var i = 0; i < pages.Length; i++)
        {
            if (owned(pages[i], owner))
            {
                pages[i] = returned[i];
            }
        }
    }

    /// <summary>The PTEs by owner, each group an exactly sized array in the PTEs' order (two passes, no growing lists).</summary>
    private static Dictionary<int, MigrationPte[]> GroupBy<TState>(ReadOnlySpan<MigrationPte> ptes, Func<MigrationPte, TState, int> key, TState state)
    {
        var counts = new Dictionary<int, int>();
        foreach (var pte in ptes)
        {
            var k = key(pte, state);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }
        var groups = new Dictionary<int, MigrationPte[]>(counts.Count);
        foreach (var (k, count) in counts)
        {
            groups[k] = new MigrationPte[count];
        }
        foreach (var pte in ptes)
        {
            var k = key(pte, state);
            groups[k][^counts[k]] = pte;
            counts[k]--;
        }
        return groups;
    }
}
