using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// Read-only views of an address space, for monitoring, tests, experiments, another process's
/// mmap of a file this one owns, and the invariant check. None of them changes the space.
/// </summary>
[Alias("mc.IAddressSpaceInspectionGrain")]
public interface IAddressSpaceInspectionGrain : IGrainWithIntegerKey
{
    [ReadOnly]
    [Alias("GetPageTable")]
    Task<PageTableEntryView[]> GetPageTable();

    [ReadOnly]
    [Alias("GetRegions")]
    Task<MappedRegion[]> GetRegions();

    /// <summary>
    /// The page each present PTE maps, in virtual-page order: where the process's memory is (what
    /// move_pages' query mode reports, with the pfns), without the rest of the page table.
    /// </summary>
    [ReadOnly]
    [Alias("PresentPages")]
    Task<PageRef[]> PresentPages();

    /// <summary>The vmstat events this process caused: its faults and the migrations its syscalls ran.</summary>
    [ReadOnly]
    [Alias("GetVmStat")]
    Task<IReadOnlyDictionary<string, long>> GetVmStat();

    /// <summary>The simulated time of the migrate_pages calls this process's syscalls ran, added up (each on one simulated CPU).</summary>
    [ReadOnly]
    [Alias("GetMigrationSimulatedNs")]
    Task<long> GetMigrationSimulatedNs();

    /// <summary>The whole address space for the invariant check: PTEs, VMAs and the page caches it owns.</summary>
    [ReadOnly]
    [Alias("Snapshot")]
    Task<AddressSpaceSnapshot> Snapshot();
}
