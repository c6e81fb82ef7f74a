namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// The request-context key that names the run's <see cref="ISimulationClockGrain"/>: set by the
/// experiment around its migration, it flows with the calls to the migration coordinators, which
/// then wait for the tasks at the steps tasks can see. Without it a migration has a clock of its
/// own and waits for nobody.
/// </summary>
public static class SimulatedTimeContext
{
    public const string ClockKey = "mc.sim.clock";
}
