using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>A migrate_pages call's gate on the run's clock grain (the coordinator's id names the call).</summary>
internal sealed class ClockGate(ISimulationClockGrain clock, long coordinator) : IMigrationTimeGate
{
    public bool Finished { get; private set; }

    public async ValueTask Reach(MigrationStep step, long atNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs) =>
        await clock.Reach(coordinator, atNs, Faults(woken), wokenAtNs);

    public async ValueTask Finish(long endNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs)
    {
        Finished = true;
        await clock.Finish(coordinator, endNs, Faults(woken), wokenAtNs);
    }

    /// <summary>Only faulting tasks wake in simulated time; migrations and truncations retry by themselves.</summary>
    private static PteRef[] Faults(IReadOnlyList<PageLockWaiter> woken) =>
        [.. woken.Where(w => w.Kind == WaiterKind.Fault).Select(w => w.Pte)];
}
