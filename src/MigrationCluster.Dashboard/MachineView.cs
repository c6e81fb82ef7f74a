namespace MigrationCluster.Dashboard;

/// <summary>The configured machine: its nodes, the SLIT distances (row k is node k), frames per node, who set it up and when.</summary>
public sealed record MachineView(int Nodes, int FramesPerNode, string ConfiguredBy, long ConfiguredUnixMs, int[][] Distances)
{
    /// <summary>The folio size of the processes' private memory (4K: base pages).</summary>
    public string FolioSize { get; init; } = "4K";
}
