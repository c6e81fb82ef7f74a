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
internal sealed class GrainMigrationBackend(IGrainFactory grains, MigrationPace? pace = null) : IMigrationBackend
{
    private readonly List<(int Node, int Start, int Length)> _runs = [];
    private long _nextWaiterId = -1;

    /// <summary>Pages that waited for writeback (the cost model charges for them).</summary>
    public int WritebackWaits { get; private set; }

    private readonly Dictionary<int, INumaNodeMigrationGrain> _nodes = [];
    private readonly Dictionary<int, IAddressSpaceMigrationGrain> _spaces = [];

    private INumaNodeMigrationGrain Node(int node) =>
        _nodes.TryGetValue(node, out var grain) ? grain : _nodes[node] = grains.GetGrain<INumaNodeMigrationGrain>(node);

    private IAddressSpaceMigrationGrain Space(int space) =>
        _spaces.TryGetValue(space, out var grain) ? grain : _spaces[space] = grains.GetGrain<IAddressSpaceMigrationGrain>(space);

    public ValueTask LockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        // Migrations wait under negative ids so they never collide with the ids of faulting tasks.
        var waiter = _nextWaiterId--;
        return pace is null
            ? ByNode(batch, old: true, (node, run, _) => node.LockPage(run, mode, force, waiter))
            : PacedLockPage(batch, mode, force, waiter, pace);
    }

    // Step 1 begins every batch: a paced call waits here for the host's clock to catch up.
    private async ValueTask PacedLockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force, long waiter, MigrationPace pace)
    {
        await pace.BeforeBatch(batch.Length);
        await ByNode(batch, old: true, (node, run, _) => node.LockPage(run, mode, force, waiter));
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
        var walked = new List<(int Offset, PteBatch Ptes)>(1);
        await ByNode(batch, old: true, async (node, run, offset) =>
        {
            var result = await node.RmapWalk(run, offset);
            lock (walked)
            {
                walked.Add((offset, result.Ptes));
            }
            return result.Run;
        });
        // In batch order, whichever node answered first.
        walked.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));

        // PTE side: one call per address space (one TLB flush each for the whole batch).
        var whole = Whole(batch);
        var unmapped = await Task.WhenAll(GroupBy(Concat(walked.ConvertAll(w => w.Ptes)), static (m, _) => m.Pte.Space, 0).Select(g => Space(g.Key).TryToUnmap(g.Ptes, whole)));
        var all = Concat(unmapped);
        converted.AddRange(all.Ptes);

        // Frame side: rmap entries go, then each old node checks its pages' mapcount (every old
        // node of the batch, whether or not a PTE of its pages was converted).
        var byOldNode = GroupBy(all, static (m, w) => w.Pages[w.Start + m.BatchIndex].Old.Node, whole).ToDictionary(g => g.Key, g => g.Ptes);
        var nodes = new SortedSet<int>();
        foreach (ref readonly var page in batch.Span)
        {
            nodes.Add(page.Old.Node);
        }
        var calls = new Task<BatchRun>[nodes.Count];
        var i = 0;
        foreach (var node in nodes)
        {
            calls[i++] = Node(node).TryToUnmap(byOldNode.GetValueOrDefault(node, PteBatch.Empty), whole);
        }
        var answers = await Task.WhenAll(calls);
        i = 0;
        foreach (var node in nodes)
        {
            MergeIfCopied(batch, whole, answers[i++], node, static (p, n) => p.Old.Node == n);
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
        var ptes = MemoryMarshal.TryGetArray(converted, out var segment)
            ? new PteBatch(segment.Array!, segment.Offset, segment.Count)
            : new PteBatch(converted.ToArray());
        // PTE side first (each address space), then the frames' rmap on the page each PTE now maps.
        var bySpace = GroupBy(ptes, static (m, _) => m.Pte.Space, 0);
        await Task.WhenAll(bySpace.Select(g => Space(g.Key).RemoveMigrationPtes(g.Ptes, whole)));
        var byNode = GroupBy(ptes, static (m, w) => w.Pages[w.Start + m.BatchIndex] is var p && p.Result == 0 ? p.New.Node : p.Old.Node, whole);
        await Task.WhenAll(byNode.Select(g => Node(g.Key).RemoveMigrationPtes(g.Ptes, whole)));
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

    public async ValueTask<bool> SplitFolio(PageRef head, int order)
    {
        var ptes = await Node(head.Node).SplitFolio(head.Pfn);
        if (ptes is null)
        {
            return false;
        }
        await Task.WhenAll(ptes.GroupBy(p => p.Space).OrderBy(g => g.Key).Select(g => Space(g.Key).SplitHugePmd([.. g.Select(p => p.VirtualPage)])));
        return true;
    }

    public async ValueTask<bool[]> FoliosPartiallyMapped(IReadOnlyList<PageRef> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        // One call per node; the answers go back in the order asked.
        var answer = new bool[heads.Count];
        await Task.WhenAll(Enumerable.Range(0, heads.Count).GroupBy(i => heads[i].Node).Select(async g =>
        {
            int[] indexes = [.. g];
            bool[] flags = await Node(g.Key).FoliosPartiallyMapped([.. indexes.Select(i => heads[i].Pfn)]);
            for (int k = 0; k < indexes.Length; k++)
            {
                answer[indexes[k]] = flags[k];
            }
        }));
        return answer;
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
    private async ValueTask ByNode(Memory<MigrationPage> batch, bool old, Func<INumaNodeMigrationGrain, BatchRun, int, Task<BatchRun>> step)
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
    private async ValueTask ByMappingOwner(Memory<MigrationPage> batch, bool inFlightOnly, Func<IAddressSpaceMigrationGrain, BatchRun, Task<BatchRun>> step)
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

    /// <summary>The parts as one batch: the part itself when there is one, else one exactly sized array in order.</summary>
    private static PteBatch Concat(IReadOnlyList<PteBatch> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }
        var all = new MigrationPte[parts.Sum(p => p.Count)];
        var at = 0;
        foreach (var part in parts)
        {
            part.Ptes.CopyTo(all.AsSpan(at));
            at += part.Count;
        }
        return new PteBatch(all);
    }

    /// <summary>
    /// The PTEs by owner, in key order, each group in the PTEs' order. When they all have one
    /// owner (the usual case: a batch's pages belong to one process) the group is the batch
    /// itself, not a copy; otherwise each group is an exactly sized array (two passes, no growing lists).
    /// </summary>
    private static List<(int Key, PteBatch Ptes)> GroupBy<TState>(PteBatch ptes, Func<MigrationPte, TState, int> key, TState state)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (var pte in ptes.Ptes)
        {
            var k = key(pte, state);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }
        if (counts.Count == 1)
        {
            return [(counts.Keys.First(), ptes)];
        }
        var groups = new Dictionary<int, MigrationPte[]>(counts.Count);
        foreach (var (k, count) in counts)
        {
            groups[k] = new MigrationPte[count];
        }
        var filled = new Dictionary<int, int>(counts.Count);
        foreach (var pte in ptes.Ptes)
        {
            var k = key(pte, state);
            var at = filled.GetValueOrDefault(k);
            groups[k][at] = pte;
            filled[k] = at + 1;
        }
        return [.. counts.Keys.Select(k => (k, new PteBatch(groups[k])))];
    }
}
