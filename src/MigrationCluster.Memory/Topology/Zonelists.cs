namespace MigrationCluster.Memory.Topology;

/// <summary>
/// The per-node fallback lists of the page allocator, built as mm/page_alloc.c's
/// build_all_zonelists does: for every node in id order, build_zonelists takes
/// find_next_best_node until no node with memory is left, and adds a load penalty to the first
/// node of each new distance group so that equal nodes are used round-robin across the lists.
/// </summary>
internal static class Zonelists
{
    /// <summary>PENALTY_FOR_NODE_WITH_CPUS: headless nodes are preferred at equal distance.</summary>
    public const int PenaltyForNodeWithCpus = 1;

    /// <summary>The fallback order of every node (by id): the nodes with memory, best first.</summary>
    public static Dictionary<int, int[]> Build(NumaTopology topology)
    {
        int[] ids = [.. topology.Nodes.Select(n => n.Id).Order()];
        int[] withMemory = [.. topology.Nodes.Where(n => n.HasMemory).Select(n => n.Id).Order()];
        var hasCpus = topology.Nodes.ToDictionary(n => n.Id, n => n.Cpus.Count > 0);

        // node_load[]: shared by the builds of all nodes, reset once (__build_all_zonelists).
        var nodeLoad = withMemory.ToDictionary(n => n, _ => 0);
        var lists = new Dictionary<int, int[]>(ids.Length);
        foreach (int local in ids)
        {
            int[] order = BuildZonelist(topology, local, withMemory, hasCpus, nodeLoad);
            int previous = local;
            foreach (int node in order)
            {
                // "We don't want to pressure a particular node": the first node of each distance
                // group gets a penalty in the lists built after this one.
                if (topology.Distance(local, node) != topology.Distance(local, previous))
                {
                    nodeLoad[node]++;
                }

                previous = node;
            }

            lists[local] = order;
        }

        return lists;
    }

    /// <summary>
    /// The order in which repeated find_next_best_node(local) calls return the nodes with memory.
    /// Within one build the loads of the nodes not yet taken do not change, so repeated minimum
    /// searches equal one sort by (value, load, id): the kernel keeps the first (lowest id) of equals.
    /// </summary>
    private static int[] BuildZonelist(NumaTopology topology, int local, int[] withMemory, Dictionary<int, bool> hasCpus, Dictionary<int, int> nodeLoad)
    {
        var order = new List<int>(withMemory.Length);
        // The local node first, unless it has no memory.
        if (Array.BinarySearch(withMemory, local) >= 0)
        {
            order.Add(local);
        }

        order.AddRange(withMemory
            .Where(n => n != local)
            .OrderBy(n => FindNextBestNodeValue(topology, local, n, hasCpus[n]))
            .ThenBy(n => nodeLoad[n])
            .ThenBy(n => n));
        return [.. order];
    }

    /// <summary>find_next_best_node's value of node <paramref name="n"/> seen from <paramref name="local"/> (before the load term).</summary>
    public static int FindNextBestNodeValue(NumaTopology topology, int local, int n, bool nodeHasCpus)
    {
        // Use the distance array to find the distance.
        int value = topology.Distance(local, n);
        // Penalize nodes under us ("prefer the next node").
        value += n < local ? 1 : 0;
        // Give preference to headless and unused nodes.
        value += nodeHasCpus ? PenaltyForNodeWithCpus : 0;
        return value;
    }
}
