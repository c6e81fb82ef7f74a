namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>What move_pages(2) gives back: its return value and the status array.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MovePagesReply")]
public sealed record MovePagesReply(int ReturnValue, int[] Status);
