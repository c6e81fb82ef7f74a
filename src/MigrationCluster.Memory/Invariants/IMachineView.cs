using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Invariants;

/// <summary>
/// What <see cref="InvariantChecker"/> reads of a machine: its nodes' frames and its address
/// spaces' page tables, VMAs and page caches. The model is one (<see cref="ModelMachineView"/>);
/// a snapshot of the grains' state is another, so both run the same checks.
/// </summary>
public interface IMachineView
{
    IEnumerable<int> NodeIds { get; }

    bool NodeExists(int node);

    long Capacity(int node);

    /// <summary>The node's count of free frames.</summary>
    long FreePages(int node);

    /// <summary>The frames on the node's free list, walked.</summary>
    int FreeListLength(int node);

    PageFrame Frame(int node, long pfn);

    void RmapWalk(int node, long pfn, List<PteRef> into);

    ulong ReadContents(int node, long pfn);

    IEnumerable<int> SpaceIds { get; }

    IEnumerable<(long VirtualPage, Pte Pte)> Ptes(int space);

    Vma? FindVma(int space, long virtualPage);

    /// <summary>The PTE at a virtual page (none when empty).</summary>
    Pte GetPte(int space, long virtualPage);

    /// <summary>The page-cache entries of the mappings the address space owns.</summary>
    IEnumerable<(int Mapping, long Index, PageRef Page)> PageCache(int space);

    /// <summary>The page a mapping's cache holds at an index (its owner's radix tree); none when absent.</summary>
    PageRef CachedPage(int mapping, long index);
}
