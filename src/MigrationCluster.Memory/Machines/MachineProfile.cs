using MigrationCluster.Memory.Cost;

namespace MigrationCluster.Memory.Machines;

/// <summary>
/// A real machine as the simulation costs it: per node pair the load latency and the copy
/// bandwidth, CPUs per node (0 for a memory-only node, such as a CXL expander), the base page
/// size, the bandwidth a node shares among the copies that run on it at once, and the kernel
/// paths' fixed costs (<see cref="CostModelOptions"/>). Read from a machine file
/// (docs/machines.md); <see cref="Cost.CostModel"/> is built from it.
/// </summary>
public sealed class MachineProfile
{
    public MachineProfile(string name, string description, int pageSize, int[] cpusPerNode, double[][] latencyNs, double[][] copyGbPerS, double[] nodeCopyGbPerS, CostModelOptions costs)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(cpusPerNode);
        ArgumentNullException.ThrowIfNull(latencyNs);
        ArgumentNullException.ThrowIfNull(copyGbPerS);
        ArgumentNullException.ThrowIfNull(nodeCopyGbPerS);
        ArgumentNullException.ThrowIfNull(costs);
        Name = name;
        Description = description;
        PageSize = pageSize;
        CpusPerNode = cpusPerNode;
        LatencyNs = latencyNs;
        CopyGbPerS = copyGbPerS;
        NodeCopyGbPerS = nodeCopyGbPerS;
        Costs = costs;
        if (Validate() is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }

    /// <summary>The preset's name, or the file's.</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>The base page size in bytes (4,096 on x86-64).</summary>
    public int PageSize { get; }

    public int[] CpusPerNode { get; }

    /// <summary>Load latency from a CPU of node i (row) to memory of node j (column), in ns.</summary>
    public double[][] LatencyNs { get; }

    /// <summary>One CPU's copy bandwidth from memory of node i (row) to memory of node j (column), in GB/s (= bytes per ns).</summary>
    public double[][] CopyGbPerS { get; }

    /// <summary>The bandwidth each node's memory shares among the copies that read or write it at once, in GB/s.</summary>
    public double[] NodeCopyGbPerS { get; }

    public CostModelOptions Costs { get; }

    public int Nodes => CpusPerNode.Length;

    public int Cpus => CpusPerNode.Sum();

    /// <summary>
    /// SLIT-style distances for what still works on distances (fallback order, the farthest node):
    /// 10 x latency / the row's local latency, at least 10 off the diagonal.
    /// </summary>
    public int[][] Distances()
    {
        var d = new int[Nodes][];
        for (int i = 0; i < Nodes; i++)
        {
            d[i] = new int[Nodes];
            for (int j = 0; j < Nodes; j++)
            {
                d[i][j] = i == j ? 10 : Math.Max(11, (int)Math.Round(10 * LatencyNs[i][j] / LatencyNs[i][i]));
            }
        }
        return d;
    }

    /// <summary>A one-line reason the description is unusable, or null.</summary>
    public string? Validate()
    {
        if (Nodes < 1)
        {
            return "a machine needs at least one node";
        }
        if (PageSize < 512 || (PageSize & (PageSize - 1)) != 0)
        {
            return $"page_size must be a power of two of at least 512 (was {PageSize})";
        }
        if (CpusPerNode.Any(c => c < 0))
        {
            return "cpus must be 0 or more per node";
        }
        if (Cpus < 1)
        {
            return "a machine needs at least one CPU";
        }
        return Table(LatencyNs, "latency_ns") ?? Table(CopyGbPerS, "copy_gbps")
            ?? (NodeCopyGbPerS.Length != Nodes ? $"node_copy_gbps has {NodeCopyGbPerS.Length} entries for {Nodes} nodes" : null)
            ?? (NodeCopyGbPerS.Any(v => !double.IsFinite(v) || v <= 0) ? "node_copy_gbps must be finite numbers above 0" : null)
            ?? CostsProblem();
    }

    private string? Table(double[][] table, string name)
    {
        if (table.Length != Nodes || table.Any(row => row is null || row.Length != Nodes))
        {
            return $"{name} must be a square table of {Nodes} x {Nodes} (one row and column per node)";
        }
        return table.SelectMany(r => r).Any(v => !double.IsFinite(v) || v <= 0) ? $"{name} must hold finite numbers above 0" : null;
    }

    private string? CostsProblem()
    {
        try
        {
            Costs.Validate();
            return null;
        }
        catch (ArgumentException exception)
        {
            return exception.Message;
        }
    }
}
