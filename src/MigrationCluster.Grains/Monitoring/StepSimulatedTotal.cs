namespace MigrationCluster.Grains.Monitoring;

/// <summary>One protocol step of a call so far on the simulated clock: its batches and their simulated nanoseconds in all.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.StepSimulatedTotal")]
public sealed record StepSimulatedTotal(int Step, string Name, int Batches, long TotalNs);
