namespace MigrationCluster.Grains.Experiments;

/// <summary>How an experiment's tasks run while the migration does.</summary>
[GenerateSerializer]
[Alias("mc.TaskSchedule")]
public enum TaskSchedule
{
    /// <summary>In simulated time, for exactly the migration's simulated duration, interleaved with its steps by simulated time (deterministic).</summary>
    Simulated,

    /// <summary>A stress test: as fast as the host lets them until the migration ends (what they do depends on the host).</summary>
    Free,
}
