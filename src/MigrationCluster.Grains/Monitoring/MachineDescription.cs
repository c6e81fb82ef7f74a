namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// The NUMA machine a cluster simulates: its SLIT distances (node k is row k), the page frames of
/// each node, and who set it up (e.g. <c>experiment 'run': 4 processes x 256 pages</c>).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MachineDescription")]
public sealed record MachineDescription(int[][] Distances, int FramesPerNode, string ConfiguredBy)
{
    public int Nodes => Distances.Length;
}
