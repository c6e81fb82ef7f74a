using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The protocol's steps over a <see cref="MemorySystem"/>: each batch is cut into runs of pages
/// with the same owner and handed to that owner's method. Completes synchronously; charges the
/// cost model's simulated time to the system.
/// </summary>
public sealed class InProcessMigrationBackend : IMigrationBackend
{
    private readonly MemorySystem _system;
    private readonly List<MigrationPte> _ptes = [];
    private MigrationPte[] _sorted = [];
    private long[] _sortKeys = [];
    private byte[]? _bytes;
    private long _nextWaiterId = -1;

    public InProcessMigrationBackend(MemorySystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
    }

    public int WritebackWaits { get; private set; }

    private delegate void NodeStep<TState>(NodeMemory node, Span<MigrationPage> run, int offset, TState state);

    private delegate void SpaceStep(AddressSpaceMemory space, Span<MigrationPage> batch);

    public ValueTask LockPage(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        // Migrations wait under negative ids so they never collide with the system's accessor ids.
        long waiter = _nextWaiterId--;
        ByOldNode(batch.Span, (mode, force, waiter), static (n, r, _, s) => n.LockPage(r, s.mode, s.force, s.waiter));
        return ValueTask.CompletedTask;
    }

    public ValueTask WaitOnPageWriteback(Memory<MigrationPage> batch, MigrateMode mode, bool force)
    {
        int waited = 0;
        ByOldNode(batch.Span, (mode, force), (n, r, _, s) => waited += n.WaitOnPageWriteback(r, s.mode, s.force));
        WritebackWaits += waited;
        _system.Advance(waited * _system.Cost.Options.WritebackWaitNs);
        return ValueTask.CompletedTask;
    }

    public ValueTask LockNewPage(Memory<MigrationPage> batch)
    {
        ByTargetNode(batch.Span, 0, static (n, r, _, _) => n.LockNewPage(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask TryToUnmap(Memory<MigrationPage> batch, List<MigrationPte> converted)
    {
        ArgumentNullException.ThrowIfNull(converted);
        Span<MigrationPage> pages = batch.Span;
        _ptes.Clear();
        ByOldNode(pages, _ptes, static (n, r, offset, ptes) => n.RmapWalk(r, offset, ptes));

        // PTE side, one call per address space; then one TLB flush per address space for the batch.
        ReadOnlySpan<MigrationPte> bySpace = GroupedBy(CollectionsMarshal.AsSpan(_ptes), pages, PteOwner.Space);
        int start = converted.Count, flushes = 0;
        for (int i = 0; i < bySpace.Length;)
        {
            int j = RunEnd(bySpace, i, pages, PteOwner.Space);
            _system.Space(bySpace[i].Pte.Space).TryToUnmap(bySpace[i..j], pages, converted);
            flushes++;
            i = j;
        }

        // Frame side, one call per node: rmap entries and references go, then the mapcount check.
        ReadOnlySpan<MigrationPte> unmapped = GroupedBy(CollectionsMarshal.AsSpan(converted)[start..], pages, PteOwner.OldPageNode);
        for (int i = 0; i < unmapped.Length;)
        {
            int j = RunEnd(unmapped, i, pages, PteOwner.OldPageNode);
            _system.Node(pages[unmapped[i].BatchIndex].Old.Node).TryToUnmap(unmapped[i..j], pages);
            i = j;
        }

        ByOldNode(pages, 0, static (n, r, _, _) => n.PageMappedCheck(r));
        _system.Advance(_system.Cost.PteUpdatesNs(converted.Count - start) + _system.Cost.TlbFlushesNs(flushes));
        return ValueTask.CompletedTask;
    }

    public ValueTask RadixTreeLock(Memory<MigrationPage> batch)
    {
        ByMappingOwner(batch.Span, static (s, b) => s.RadixTreeLock(b));
        return ValueTask.CompletedTask;
    }

    public ValueTask PageRefcountCheck(Memory<MigrationPage> batch)
    {
        ByOldNode(batch.Span, 0, static (n, r, _, _) => n.PageRefcountCheck(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask RadixTreeCheck(Memory<MigrationPage> batch)
    {
        ByMappingOwner(batch.Span, static (s, b) => s.RadixTreeCheck(b));
        return ValueTask.CompletedTask;
    }

    public ValueTask PrepNewPage(Memory<MigrationPage> batch)
    {
        ByTargetNode(batch.Span, 0, static (n, r, _, _) => n.PrepNewPage(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask RadixTreeReplace(Memory<MigrationPage> batch)
    {
        ByMappingOwner(batch.Span, static (s, b) => s.RadixTreeReplace(b));
        return ValueTask.CompletedTask;
    }

    public ValueTask PageRefTransfer(Memory<MigrationPage> batch)
    {
        ByOldNode(batch.Span, 0, static (n, r, _, _) => n.PageRefTransferFrom(r));
        ByTargetNode(batch.Span, 0, static (n, r, _, _) => n.PageRefTransferTo(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask RadixTreeUnlock(Memory<MigrationPage> batch)
    {
        Span<MigrationPage> pages = batch.Span;
        var owners = new SortedSet<int>();
        foreach (MigrationPage p in pages)
        {
            if (p.Has(MigrationProgress.TreeLocked))
            {
                owners.Add(PageMapping.FileOwner(p.Mapping));
            }
        }

        foreach (int owner in owners)
        {
            _system.Space(owner).RadixTreeUnlock(pages);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CopyPage(Memory<MigrationPage> batch)
    {
        Span<MigrationPage> pages = batch.Span;
        if (_system.Options.ContentMode == ContentMode.Full)
        {
            int need = pages.Length * PageContents.PageSize;
            if (_bytes is null || _bytes.Length < need)
            {
                _bytes = new byte[need];
            }
        }

        byte[]? bytes = _bytes;
        ByOldNode(pages, bytes, static (n, r, offset, b) => n.CopyPageFrom(r, b is null ? default : b.AsSpan(offset * PageContents.PageSize)));
        ByTargetNode(pages, bytes, static (n, r, offset, b) => n.CopyPageTo(r, b is null ? default : b.AsSpan(offset * PageContents.PageSize)));
        _system.Advance(CopyCostNs(pages));
        return ValueTask.CompletedTask;
    }

    public ValueTask CopyPageFlags(Memory<MigrationPage> batch)
    {
        ByTargetNode(batch.Span, 0, static (n, r, _, _) => n.CopyPageFlags(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask ClearPageFlags(Memory<MigrationPage> batch)
    {
        ByOldNode(batch.Span, 0, static (n, r, _, _) => n.ClearPageFlags(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask QueueWriteback(Memory<MigrationPage> batch)
    {
        ByTargetNode(batch.Span, 0, static (n, r, _, _) => n.QueueWriteback(r));
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveMigrationPtes(Memory<MigrationPage> batch, ReadOnlyMemory<MigrationPte> converted)
    {
        Span<MigrationPage> pages = batch.Span;
        ReadOnlySpan<MigrationPte> bySpace = GroupedBy(converted.Span, pages, PteOwner.Space);
        for (int i = 0; i < bySpace.Length;)
        {
            int j = RunEnd(bySpace, i, pages, PteOwner.Space);
            _system.Space(bySpace[i].Pte.Space).RemoveMigrationPtes(bySpace[i..j], pages);
            i = j;
        }

        // Grouped by the node of the page each PTE now names: the new page, or the old one if the page failed.
        ReadOnlySpan<MigrationPte> byNode = GroupedBy(converted.Span, pages, PteOwner.MappedPageNode);
        for (int i = 0; i < byNode.Length;)
        {
            int j = RunEnd(byNode, i, pages, PteOwner.MappedPageNode);
            _system.Node(OwnerOf(byNode[i], pages, PteOwner.MappedPageNode)).RemoveMigrationPtes(byNode[i..j], pages);
            i = j;
        }

        _system.Advance(_system.Cost.PteUpdatesNs(converted.Length));
        return ValueTask.CompletedTask;
    }

    public ValueTask UnlockPage(Memory<MigrationPage> batch, List<PageLockWaiter> woken)
    {
        ByOldNode(batch.Span, woken, static (n, r, _, w) => n.UnlockPage(r, w, newPages: false));
        ByTargetNode(batch.Span, woken, static (n, r, _, w) => n.UnlockPage(r, w, newPages: true));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> SplitFolio(PageRef head, int order)
    {
        NodeMemory node = _system.Node(head.Node);
        var ptes = new List<PteRef>();
        for (long pfn = head.Pfn; pfn < head.Pfn + (1L << order); pfn++)
        {
            node.RmapWalk(pfn, ptes);
        }

        if (!node.SplitFolio(head.Pfn))
        {
            return ValueTask.FromResult(false);
        }

        foreach (PteRef pte in ptes)
        {
            _system.Space(pte.Space).SplitHugePmd(pte.VirtualPage);
        }

        return ValueTask.FromResult(true);
    }

    public ValueTask<bool[]> FoliosPartiallyMapped(IReadOnlyList<PageRef> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        return ValueTask.FromResult(heads.Select(h => _system.Node(h.Node).FolioPartiallyMapped(h.Pfn)).ToArray());
    }

    public ValueTask PutbackLruPage(Memory<MigrationPage> batch, bool keepRetries)
    {
        ByTargetNode(batch.Span, keepRetries, static (n, r, _, k) => n.PutbackLruPage(r, k, newPages: true));
        ByOldNode(batch.Span, keepRetries, static (n, r, _, k) => n.PutbackLruPage(r, k, newPages: false));
        return ValueTask.CompletedTask;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double CopyCostNs(ReadOnlySpan<MigrationPage> pages)
    {
        // A batch mostly moves between one pair of nodes: the pair's cost is looked up once per change.
        double ns = 0, pairNs = 0;
        int from = -1, to = -1;
        foreach (ref readonly MigrationPage p in pages)
        {
            if (!p.InFlight)
            {
                continue;
            }

            if (p.Old.Node != from || p.New.Node != to)
            {
                (from, to) = (p.Old.Node, p.New.Node);
                pairNs = _system.Cost.CopyPageNs(from, to);
            }

            ns += pairNs;
        }

        return ns;
    }

    // ---- routing ----------------------------------------------------------------------------

    private void ByOldNode<TState>(Span<MigrationPage> batch, TState state, NodeStep<TState> step) =>
        ByNode(batch, state, step, old: true);

    private void ByTargetNode<TState>(Span<MigrationPage> batch, TState state, NodeStep<TState> step) =>
        ByNode(batch, state, step, old: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ByNode<TState>(Span<MigrationPage> batch, TState state, NodeStep<TState> step, bool old)
    {
        for (int i = 0; i < batch.Length;)
        {
            int node = old ? batch[i].Old.Node : batch[i].TargetNode;
            int j = i + 1;
            while (j < batch.Length && (old ? batch[j].Old.Node : batch[j].TargetNode) == node)
            {
                j++;
            }

            step(_system.Node(node), batch[i..j], i, state);
            i = j;
        }
    }

    /// <summary>Who owns the data a PTE step touches: the PTE's address space, or the node of the page it maps.</summary>
    private enum PteOwner
    {
        Space,
        OldPageNode,
        MappedPageNode,
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int OwnerOf(in MigrationPte m, ReadOnlySpan<MigrationPage> pages, PteOwner owner)
    {
        if (owner == PteOwner.Space)
        {
            return m.Pte.Space;
        }

        ref readonly MigrationPage p = ref pages[m.BatchIndex];
        return owner == PteOwner.OldPageNode || p.Result != 0 ? p.Old.Node : p.New.Node;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int RunEnd(ReadOnlySpan<MigrationPte> ptes, int start, ReadOnlySpan<MigrationPage> pages, PteOwner owner)
    {
        int key = OwnerOf(ptes[start], pages, owner);
        int end = start + 1;
        while (end < ptes.Length && OwnerOf(ptes[end], pages, owner) == key)
        {
            end++;
        }

        return end;
    }

    /// <summary>
    /// The PTEs in runs of one owner, in ascending owner order and otherwise in the order given.
    /// Usually a batch has one address space and one node, so the input already is: it is
    /// returned as is; otherwise a stably sorted copy in a reused buffer (valid until the next call).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<MigrationPte> GroupedBy(ReadOnlySpan<MigrationPte> ptes, ReadOnlySpan<MigrationPage> pages, PteOwner owner)
    {
        int i = 1;
        while (i < ptes.Length && OwnerOf(ptes[i], pages, owner) >= OwnerOf(ptes[i - 1], pages, owner))
        {
            i++;
        }

        if (i >= ptes.Length)
        {
            return ptes;
        }

        if (_sorted.Length < ptes.Length)
        {
            _sorted = new MigrationPte[ptes.Length * 2];
            _sortKeys = new long[ptes.Length * 2];
        }

        // Owner in the high half, position in the low half: a unique key, so the sort is stable.
        Span<long> keys = _sortKeys.AsSpan(0, ptes.Length);
        for (i = 0; i < ptes.Length; i++)
        {
            keys[i] = ((long)OwnerOf(ptes[i], pages, owner) << 32) | (uint)i;
        }

        Span<MigrationPte> sorted = _sorted.AsSpan(0, ptes.Length);
        ptes.CopyTo(sorted);
        keys.Sort(sorted);
        return sorted;
    }

    private void ByMappingOwner(Span<MigrationPage> batch, SpaceStep step)
    {
        var owners = new SortedSet<int>();
        foreach (MigrationPage p in batch)
        {
            if (p.InFlight && p.IsFile)
            {
                owners.Add(PageMapping.FileOwner(p.Mapping));
            }
        }

        foreach (int owner in owners)
        {
            step(_system.Space(owner), batch);
        }
    }

}
