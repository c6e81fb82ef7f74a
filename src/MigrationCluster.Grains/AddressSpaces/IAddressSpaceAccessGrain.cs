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

    /// <summary>
    /// Sets up a workload's tasks in simulated time (docs/simulated-time.md), each at time 0; they
    /// make no access until <see cref="AdvanceWorkload"/>.
    /// </summary>
    [Alias("StartSimulatedWorkload")]
    Task StartSimulatedWorkload(WorkloadSpec spec);

    /// <summary>
    /// Wakes the tasks asleep behind <paramref name="wakes"/>, then lets every task make its
    /// accesses whose simulated time is below <paramref name="horizonNs"/>; returns when each
    /// task has reached the horizon or sleeps on a page lock.
    /// </summary>
    [Alias("AdvanceWorkload")]
    [ResponseTimeout("00:05:00")]
    Task AdvanceWorkload(long horizonNs, SimulatedTime.TaskWakeUp[] wakes);

    /// <summary>Runs the tasks to <paramref name="endNs"/>, ends them and reports what they saw.</summary>
    [Alias("FinishSimulatedWorkload")]
    [ResponseTimeout("00:05:00")]
    Task<WorkloadReport> FinishSimulatedWorkload(long endNs);

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

    /// <summary>shmem_get_policy on a shmem object this process owns: its policy at a page index, or null.</summary>
    [ReadOnly]
    [Alias("ShmemGetPolicy")]
    Task<MemPolicyView?> ShmemGetPolicy(int mapping, long index);

    /// <summary>shmem_set_policy on a shmem object this process owns, over [start, end) of its indexes (null: MPOL_DEFAULT).</summary>
    [Alias("ShmemSetPolicy")]
    Task ShmemSetPolicy(int mapping, long start, long end, MemPolicyView? policy);

    /// <summary>i_size in pages of a file or shmem object this process owns (a fault at or past it is SIGBUS).</summary>
    [ReadOnly]
    [Alias("FileSize")]
    Task<long> FileSize(int mapping);

    /// <summary>Another process maps a file this process owns MAP_PRIVATE (it joins the file's i_mmap, for truncate).</summary>
    [Alias("AddPrivateMapper")]
    Task AddPrivateMapper(int mapping, int space);

    /// <summary>The child's side of fork: its mappings and PTEs as the parent's dup_mmap made them.</summary>
    [Alias("AdoptFork")]
    Task AdoptFork(ForkImage image);
}
