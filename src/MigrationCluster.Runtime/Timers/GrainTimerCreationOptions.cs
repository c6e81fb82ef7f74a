namespace MigrationCluster.Runtime.Timers;

/// <summary>How a grain timer ticks (Orleans' defaults: no interleaving, does not keep the grain alive).</summary>
public readonly record struct GrainTimerCreationOptions(TimeSpan DueTime, TimeSpan Period)
{
    /// <summary>Ticks may interleave with requests (and requests with ticks).</summary>
    public bool Interleave { get; init; }

    /// <summary>Ticks count as activity, so the grain is not collected while its timer runs.</summary>
    public bool KeepAlive { get; init; }
}
