namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>What get_mempolicy(2) gives back: 0 or -errno, the mode word (or node), and the nodemask written (null: none).</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.GetMempolicyReply")]
public sealed record GetMempolicyReply(int ReturnValue, int Mode, int[]? Nodemask);
