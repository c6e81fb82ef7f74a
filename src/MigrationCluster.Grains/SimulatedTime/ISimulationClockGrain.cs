using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// The windows of one run's simulated time (key: the run), docs/simulated-time.md: the
/// migrate_pages calls of the run say when their next step that tasks can see takes effect;
/// the earliest goes first, once every address space's tasks have run up to it.
/// </summary>
[Alias("mc.ISimulationClockGrain")]
public interface ISimulationClockGrain : IGrainWithStringKey
{
    /// <summary>
    /// A new run: these coordinators will migrate, these address spaces' tasks run meanwhile (from
    /// simulated time 0). <paramref name="spacesOf"/>[i] are the address spaces that map a page
    /// coordinator i migrates: only their tasks can meet its steps, so only they need to have
    /// reached a step's time before it goes (the others catch up at a later window of theirs).
    /// </summary>
    [Alias("Start")]
    Task Start(long[] coordinators, long[][] spacesOf, long[] spaces);

    /// <summary>Coordinator <paramref name="coordinator"/> waits here until its step at <paramref name="atNs"/> may take effect; it hands over the tasks its last unlock_page woke.</summary>
    [AlwaysInterleave]
    [Alias("Reach")]
    [ResponseTimeout("00:05:00")]
    Task Reach(long coordinator, long atNs, PteRef[] woken, long wokenAtNs);

    /// <summary>Coordinator <paramref name="coordinator"/> ended at <paramref name="endNs"/>.</summary>
    [AlwaysInterleave]
    [Alias("Finish")]
    Task Finish(long coordinator, long endNs, PteRef[] woken, long wokenAtNs);

    /// <summary>After every coordinator finished: the migration's simulated duration (the latest end).</summary>
    [Alias("Complete")]
    Task<long> Complete();
}
