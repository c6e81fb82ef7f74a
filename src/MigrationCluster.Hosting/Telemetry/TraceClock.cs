namespace MigrationCluster.Hosting.Telemetry;

/// <summary>Which clock the exported spans' timestamps are on (<c>--trace-clock</c>).</summary>
public enum TraceClock
{
    /// <summary>The host's wall clock: when the simulator did the work.</summary>
    Host,

    /// <summary>Simulated time from <see cref="SimulatedClockSpanProcessor.Epoch"/>: when the simulated machine did it.</summary>
    Simulated,
}
