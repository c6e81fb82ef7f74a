using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// The windows of one run's simulated time (key: the run), docs/simulated-time.md: the
/// migrate_pages calls of the run say when their next step that tasks can see takes effect;
/// a call goes once the tasks it could meet have run up to that time and no call it could
/// affect has an earlier one.
/// </summary>
[Alias("mc.ISimulationClockGrain")]
public interface ISimulationClockGrain : IGrainWithStringKey
{
    /// <summary>
    /// A new run: these coordinators will migrate, these address spaces' tasks run meanwhile (from
    /// simulated time 0). <paramref name="spacesOf"/>[i] are the address spaces that map a page
    /// coordinator i migrates: only their tasks can meet its steps, so only they need to have
    /// reached a step's time before it goes (the others catch up at a later window of theirs).
    /// <paramref name="nodesOf"/>[i] are the nodes coordinator i takes pages from or gives pages
    /// to. Coordinators with no address space and no node in common go side by side.
    /// </summary>
    [Alias("Start")]
    Task Start(long[] coordinators, long[][] spacesOf, long[] spaces, int[][] nodesOf);

    /// <summary>Coordinator <paramref name="coordinator"/> waits here until its step at <paramref name="atNs"/> may take effect; it hands over the tasks its last unlock_page woke.</summary>
    [AlwaysInterleave]
    [Alias("Reach")]
    [ResponseTimeout("00:05:00")]
    Task Reach(long coordinator, long atNs, PteRef[] woken, long wokenAtNs);

    /// <summary>Coordinator <paramref name="coordinator"/> ended at <paramref name="endNs"/>.</summary>
    [AlwaysInterleave]
    [Alias("Finish")]
    Task Finish(long coordinator, long endNs, PteRef[] woken, long wokenAtNs);

    /// <summary>The run is given up (<paramref name="reason"/>): every coordinator waiting here, and any that comes later, fails with it.</summary>
    [AlwaysInterleave]
    [Alias("Abandon")]
    Task Abandon(string reason);

    /// <summary>After every coordinator finished: the migration's simulated duration (the latest end).</summary>
    [Alias("Complete")]
    Task<long> Complete();
}
