namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>A task asleep on the page lock behind <see cref="VirtualPage"/> is woken by an unlock_page at <see cref="AtNs"/> (simulated).</summary>
[GenerateSerializer]
[Alias("mc.TaskWakeUp")]
public readonly record struct TaskWakeUp(long VirtualPage, long AtNs);
