namespace MigrationCluster.Dashboard;

/// <summary>The configured machine: its nodes, the SLIT distances (row k is node k), frames per node, who set it up and when.</summary>
public sealed record MachineView(int Nodes, int FramesPerNode, string ConfiguredBy, long ConfiguredUnixMs, int[][] Distances);
