namespace MigrationCluster.Grains.Monitoring;

/// <summary>Where the cluster's one <see cref="IMachineMonitorGrain"/> is.</summary>
public static class MachineMonitor
{
    /// <summary>The monitor's key: one machine per cluster.</summary>
    public const long Key = 0;

    public static IMachineMonitorGrain GetMachineMonitor(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IMachineMonitorGrain>(Key);
    }
}
