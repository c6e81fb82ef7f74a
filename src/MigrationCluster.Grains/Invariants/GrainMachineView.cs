using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Invariants;

/// <summary>
/// The grains' state as <see cref="InvariantChecker"/> reads it: one snapshot of every node grain
/// and address space grain, taken while nothing runs (the checker is the model's, unchanged).
/// A frame a node left out of its snapshot is a plain free frame.
/// </summary>
public sealed class GrainMachineView : IMachineView
{
    private static readonly PageFrame FreeFrame = new() { Flags = PageFlags.Buddy };

    private readonly Dictionary<int, NodeSnapshot> _nodes;
    private readonly Dictionary<int, Dictionary<long, FrameSnapshot>> _frames;
    private readonly Dictionary<int, AddressSpaceSnapshot> _spaces;
    private readonly Dictionary<int, Vma[]> _vmas;
    private readonly Dictionary<int, Dictionary<long, Pte>> _ptes;
    private readonly Dictionary<(int Mapping, long Index), PageRef> _cache;

    private GrainMachineView(NodeSnapshot[] nodes, AddressSpaceSnapshot[] spaces)
    {
        _nodes = nodes.ToDictionary(n => n.Node);
        _frames = nodes.ToDictionary(n => n.Node, n => n.Frames.ToDictionary(f => f.Pfn));
        _spaces = spaces.ToDictionary(s => s.Space);
        _vmas = spaces.ToDictionary(s => s.Space, s => s.Vmas.Select(r => new Vma(r.Start, r.Pages, r.Kind, r.Mapping, r.PgOff, r.Writable) { Locked = r.Locked, LockOnFault = r.LockOnFault }).ToArray());
        _ptes = spaces.ToDictionary(s => s.Space, s => s.Ptes.ToDictionary(p => p.VirtualPage, p => new Pte(p.Kind, p.Page, p.Writable)));
        _cache = spaces.SelectMany(s => s.PageCache).ToDictionary(c => (c.Mapping, c.Index), c => c.Page);
    }

    /// <summary>Snapshots the given node grains and address space grains (all of them at once).</summary>
    public static async Task<GrainMachineView> SnapshotAsync(IGrainFactory grains, IEnumerable<int> nodes, IEnumerable<int> spaces)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var nodeSnapshots = Task.WhenAll(nodes.Select(n => grains.GetGrain<INumaNodeInspectionGrain>(n).SnapshotNode()));
        var spaceSnapshots = Task.WhenAll(spaces.Select(s => grains.GetGrain<IAddressSpaceInspectionGrain>(s).Snapshot()));
        return new GrainMachineView(await nodeSnapshots, await spaceSnapshots);
    }

    public IEnumerable<int> NodeIds => _nodes.Keys;

    public bool NodeExists(int node) => _nodes.ContainsKey(node);

    public long Capacity(int node) => _nodes[node].Capacity;

    public long FreePages(int node) => _nodes[node].FreePages;

    public int FreeListLength(int node) => _nodes[node].FreeListLength;

    public PageFrame Frame(int node, long pfn) => _frames[node].TryGetValue(pfn, out var f)
        ? new PageFrame { Refcount = f.Refcount, Mapcount = f.Mapcount, Mapping = f.Mapping, Index = f.Index, Flags = f.Flags, Contents = f.Contents }
        : FreeFrame;

    public void RmapWalk(int node, long pfn, List<PteRef> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_frames[node].TryGetValue(pfn, out var f))
        {
            into.AddRange(f.Rmap);
        }
    }

    public ulong ReadContents(int node, long pfn) => _frames[node].TryGetValue(pfn, out var f) ? f.Contents : PageContents.Zero;

    public IEnumerable<int> SpaceIds => _spaces.Keys;

    public IEnumerable<(long VirtualPage, Pte Pte)> Ptes(int space) =>
        _spaces[space].Ptes.Select(p => (p.VirtualPage, new Pte(p.Kind, p.Page, p.Writable)));

    public Vma? FindVma(int space, long virtualPage) => _vmas[space].FirstOrDefault(v => v.Contains(virtualPage));

    public IEnumerable<(int Mapping, long Index, PageRef Page)> PageCache(int space) =>
        _spaces[space].PageCache.Select(c => (c.Mapping, c.Index, c.Page));

    public PageRef CachedPage(int mapping, long index) => _cache.TryGetValue((mapping, index), out var page) ? page : PageRef.None;

    public Pte GetPte(int space, long virtualPage) =>
        _ptes[space].TryGetValue(virtualPage, out var pte) ? pte : Pte.None;
}
