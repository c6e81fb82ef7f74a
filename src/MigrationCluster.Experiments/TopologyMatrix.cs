using MigrationCluster.Hosting;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Experiments;

/// <summary>The SLIT distance matrix an experiment runs on.</summary>
public static class TopologyMatrix
{
    /// <summary>
    /// The default machine: nodes on a ring (the model's generated SLIT, 10 locally and 12 + 4 per
    /// hop elsewhere). Four nodes give 10 / 16 / 20, the shape of a four-socket server where two
    /// sockets are one hop away.
    /// </summary>
    public static int[][] Ring(int nodes) => From(SlitGenerator.Ring(nodes));

    /// <summary>The matrix of a parsed topology; its node ids must be 0..N-1.</summary>
    public static int[][] From(NumaTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var ids = topology.Nodes.Select(n => n.Id).Order().ToArray();
        if (!ids.SequenceEqual(Enumerable.Range(0, ids.Length)))
        {
            throw new UsageException($"the topology's node ids must be 0..{ids.Length - 1} (found {string.Join(",", ids)})");
        }
        return [.. ids.Select(i => ids.Select(j => topology.Distance(i, j)).ToArray())];
    }
}
