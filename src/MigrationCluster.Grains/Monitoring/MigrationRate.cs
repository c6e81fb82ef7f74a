namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// Pages migrated and failed in each second of the last minutes: element i is the second
/// <c>EndUnixSecond - (length - 1) + i</c>, so the last element is the current second.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MigrationRate")]
public sealed record MigrationRate(long EndUnixSecond, long[] Migrated, long[] Failed);
