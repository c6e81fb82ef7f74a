namespace MigrationCluster.Grains.Migration;

/// <summary>
/// How long one protocol step took in each batch of a migration, in milliseconds: what
/// <see cref="StepLatency"/> summarises, kept so that the figures of several migrate_pages calls
/// (one per source node, side by side) can be summarised together exactly.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.StepBatchTimes")]
public sealed record StepBatchTimes(int Step, string Name, double[] BatchMs);
