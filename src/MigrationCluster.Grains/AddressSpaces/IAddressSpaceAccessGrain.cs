using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What a process's tasks do in its address space: loads and stores with their faults, sleeps on
/// page locks and retries, workloads of many tasks; and the page-cache lookup another process's
/// fault makes in a file this one owns.
/// </summary>
[Alias("mc.IAddressSpaceAccessGrain")]
public interface IAddressSpaceAccessGrain : IGrainWithIntegerKey
{
    /// <summary>One load or store by a task, with its faults, sleeps on page locks and retries.</summary>
    [Alias("Access")]
    Task<AccessReport> Access(long virtualPage, bool write, ulong value);

    /// <summary>Runs a workload's tasks side by side and reports what they saw.</summary>
    [ResponseTimeout("00:10:00")]
    [Alias("RunWorkload")]
    Task<WorkloadReport> RunWorkload(WorkloadSpec spec);

    /// <summary>Ends the running workloads that go on until stopped (they finish their current access).</summary>
    [AlwaysInterleave]
    [Alias("StopWorkloads")]
    Task StopWorkloads();

    /// <summary>
    /// The page at (mapping, index) of a file this address space owns, allocated (nearest node
    /// first) and inserted if absent. The owner only reads <paramref name="allocationOrder"/>.
    /// </summary>
    [Alias("FindOrCreatePageCachePage")]
    Task<PageRef> FindOrCreatePageCachePage(int mapping, long index, [Immutable] int[] allocationOrder, bool swapBacked);
}
