namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// Where an experiment's set-up stands before its migration starts: the phase it is in and how
/// many of its items (<paramref name="Unit"/>: nodes, processes) are done. A large machine takes
/// a while to build; this is what a command shows meanwhile.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.SetUpProgress")]
public sealed record SetUpProgress(string Phase, long Done, long Total, string Unit);
