using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// What a migrate_pages run over grains returns: the kernel's return value (pages not migrated,
/// or -ENOMEM), the per-page errno and new page, the passes it took, how many pages were retried,
/// the vm events its migrate_pages() counted (<see cref="VmEvents"/>, as the protocol made them:
/// pages that failed isolation are in <see cref="Failed"/> but not in pgmigrate_fail), and how long each protocol step took (summed up, and batch by batch). Immutable: made once at
/// the end of a call and never touched by the coordinator again, so a caller on the same silo
/// gets it as it is, not a page-by-page copy of its arrays.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MigrationRunResult")]
public sealed record MigrationRunResult(
    int ReturnValue,
    int Succeeded,
    int Failed,
    int NotIsolated,
    int Retried,
    int Passes,
    int[] PageErrno,
    PageRef[] NewPages,
    MigrationVmEvents VmEvents,
    IReadOnlyList<StepLatency> StepLatencies,
    IReadOnlyList<StepBatchTimes> StepBatchTimes,
    long SimulatedNs = 0,
    IReadOnlyList<StepSimulatedTimes>? StepSimulated = null,
    long TlbShootdowns = 0,
    long TlbIpis = 0)
{
    /// <summary>The vm events by their /proc/vmstat names.</summary>
    public IReadOnlyDictionary<string, long> VmStat => VmEvents.ToDictionary();

    /// <summary>Each step's simulated duration per batch, in step order (empty when none was kept).</summary>
    public IReadOnlyList<StepSimulatedTimes> StepSimulatedTimes => StepSimulated ?? [];

    /// <summary>
    /// Several migrate_pages calls made side by side (one per source node) as one outcome: the
    /// per-page answers back in the order of the <paramref name="count"/> requests they were cut
    /// from (<c>Indexes</c>: each call's requests' positions), counts and vmstat summed, the most
    /// passes any call took, the step figures over all their batches, -ENOMEM if any call ran out.
    /// </summary>
    public static MigrationRunResult Combine(IReadOnlyList<(MigrationRunResult Result, int[] Indexes)> calls, int count)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var errno = new int[count];
        var newPages = new PageRef[count];
        Array.Fill(newPages, PageRef.None);
        int returnValue = 0, succeeded = 0, failed = 0, notIsolated = 0, retried = 0, passes = 0;
        var vmEvents = default(MigrationVmEvents);
        var batches = new SortedDictionary<int, (string Name, List<double> Ms)>();
        var simulated = new SortedDictionary<int, (string Name, List<long> Ns)>();
        long simulatedNs = 0, shootdowns = 0, ipis = 0;
        foreach (var (result, indexes) in calls)
        {
            for (var k = 0; k < indexes.Length; k++)
            {
                errno[indexes[k]] = result.PageErrno[k];
                newPages[indexes[k]] = result.NewPages[k];
            }
            returnValue = returnValue < 0 ? returnValue : result.ReturnValue < 0 ? result.ReturnValue : returnValue + result.ReturnValue;
            succeeded += result.Succeeded;
            failed += result.Failed;
            notIsolated += result.NotIsolated;
            retried += result.Retried;
            passes = Math.Max(passes, result.Passes);
            vmEvents += result.VmEvents;
            // Side-by-side calls each start at simulated time 0: together they last as long as the longest.
            simulatedNs = Math.Max(simulatedNs, result.SimulatedNs);
            shootdowns += result.TlbShootdowns;
            ipis += result.TlbIpis;
            foreach (var step in result.StepSimulatedTimes)
            {
                if (!simulated.TryGetValue(step.Step, out var ns))
                {
                    simulated[step.Step] = ns = (step.Name, []);
                }
                ns.Ns.AddRange(step.BatchNs);
            }
            foreach (var step in result.StepBatchTimes)
            {
                if (!batches.TryGetValue(step.Step, out var times))
                {
                    batches[step.Step] = times = (step.Name, []);
                }
                times.Ms.AddRange(step.BatchMs);
            }
        }
        return new MigrationRunResult(
            returnValue, succeeded, failed, notIsolated, retried, passes, errno, newPages, vmEvents,
            [.. batches.Select(b => StepLatency.FromBatches(b.Key, b.Value.Name, b.Value.Ms))],
            [.. batches.Select(b => new StepBatchTimes(b.Key, b.Value.Name, [.. b.Value.Ms]))],
            simulatedNs,
            [.. simulated.Select(s => new StepSimulatedTimes(s.Key, s.Value.Name, [.. s.Value.Ns]))],
            shootdowns,
            ipis);
    }
}
