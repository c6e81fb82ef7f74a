using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Machines;

/// <summary>The topology the memory model builds for a described machine: its nodes (CPU-less ones without CPUs) and its derived distances.</summary>
public static class MachineTopology
{
    public static NumaTopology Of(MachineProfile machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        int[][] rows = machine.Distances();
        var distances = new int[machine.Nodes, machine.Nodes];
        var nodes = new List<NumaNodeInfo>();
        int cpu = 0;
        for (int i = 0; i < machine.Nodes; i++)
        {
            for (int j = 0; j < machine.Nodes; j++)
            {
                distances[i, j] = rows[i][j];
            }
            nodes.Add(new NumaNodeInfo(i, [.. Enumerable.Range(cpu, machine.CpusPerNode[i])], NumaTopology.DefaultSizeMb, NumaTopology.DefaultSizeMb));
            cpu += machine.CpusPerNode[i];
        }
        return new NumaTopology(nodes, distances);
    }
}
