using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Invariants;

/// <summary>The in-process model as <see cref="InvariantChecker"/> reads it: straight through, no copies.</summary>
public sealed class ModelMachineView(MemorySystem system) : IMachineView
{
    public IEnumerable<int> NodeIds => system.Nodes.Select(n => n.Id);

    public bool NodeExists(int node) => system.NodeExists(node);

    public long Capacity(int node) => system.Node(node).Capacity;

    public long FreePages(int node) => system.Node(node).FreePages;

    public int FreeListLength(int node) => system.Node(node).ListPages(LruList.Free).Count();

    public PageFrame Frame(int node, long pfn) => system.Node(node).Frame(pfn);

    public void RmapWalk(int node, long pfn, List<PteRef> into) => system.Node(node).RmapWalk(pfn, into);

    public ulong ReadContents(int node, long pfn) => system.Node(node).ReadContents(pfn);

    public IEnumerable<int> SpaceIds => system.Spaces.Select(s => s.Id);

    public IEnumerable<(long VirtualPage, Pte Pte)> Ptes(int space) => system.Space(space).Ptes();

    public Vma? FindVma(int space, long virtualPage) => system.Space(space).FindVma(virtualPage);

    public Pte GetPte(int space, long virtualPage) => system.Space(space).GetPte(virtualPage);

    public IEnumerable<(int Mapping, long Index, PageRef Page)> PageCache(int space) =>
        system.Space(space).OwnedMappings.Values.SelectMany(t => t.Entries().Select(e => (t.Mapping, e.Index, e.Page)));

    public PageRef CachedPage(int mapping, long index) =>
        system.TryGetSpace(PageMapping.FileOwner(mapping), out AddressSpaceMemory owner) && owner.OwnedMappings.TryGetValue(mapping, out RadixTree? tree)
            ? tree.Lookup(index)
            : PageRef.None;
}
