using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Topology;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// One experiment: a machine (SLIT distances, frames per node), processes with a mixed workload
/// (private anonymous memory plus a file each shares with its neighbour), and the migration that
/// follows when the scheduler moves every process to another node. The first
/// <see cref="PinnedPagesPerSpace"/> private pages of each process hold an extra reference (a
/// driver doing I/O on them), so page_refcount_check backs them out on every pass.
/// <see cref="PacePagesPerSecond"/>, when above 0, holds the migration to that many pages per
/// second of the host's time (to watch it on the dashboard); it changes nothing simulated.
/// With a <see cref="Machine"/>, steps are costed on its latencies, bandwidths and fixed costs
/// (its distances are derived from its latencies), and processes live on its nodes with CPUs;
/// <see cref="Protocol"/> is the kernel's migrate_pages generation.
/// <see cref="ClientLease"/>, when above 0, is how long the run goes on without hearing from the
/// client that asked for it (<see cref="IExperimentGrain.Renew"/>): a client cut off from the
/// cluster, or killed, cannot say it gave up, and its run would hold the cluster to its end.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.ExperimentSpec")]
public sealed record ExperimentSpec(
    int[][] Distances,
    int FramesPerNode,
    int AddressSpaces,
    int PagesPerSpace,
    double FileFraction,
    WorkloadPattern Workload,
    int TasksPerSpace,
    int AccessesPerTask,
    double WriteFraction,
    MigrateMode Mode,
    int Seed,
    int PinnedPagesPerSpace = 0,
    double LocalAccessNs = ExperimentSpec.DefaultLocalAccessNs,
    double PacePagesPerSecond = 0,
    TaskSchedule Schedule = TaskSchedule.Simulated,
    long ThinkNs = WorkloadSpec.DefaultThinkNs,
    MachineProfile? Machine = null,
    MigrationProtocolKind Protocol = MigrationProtocolKind.PerPage,
    int FolioOrder = 0,
    TimeSpan ClientLease = default)
{
    /// <summary>The private pages of each process (the rest is its shared file).</summary>
    public int PrivatePagesPerSpace => PagesPerSpace - (int)Math.Round(PagesPerSpace * FileFraction);

    public const double DefaultLocalAccessNs = 80;

    public int Nodes => Distances.Length;

    /// <summary>The machine as the memory model sees it: every node with a CPU and memory, these distances.</summary>
    public NumaTopology Topology()
    {
        var distances = new int[Nodes, Nodes];
        for (var i = 0; i < Nodes; i++)
        {
            for (var j = 0; j < Nodes; j++)
            {
                distances[i, j] = Distances[i][j];
            }
        }
        return new NumaTopology([.. Enumerable.Range(0, Nodes).Select(n => new NumaNodeInfo(n, HasCpus(n) ? [n] : [], NumaTopology.DefaultSizeMb, NumaTopology.DefaultSizeMb))], distances);
    }

    /// <summary>Whether processes can run on node <paramref name="node"/> (every node, unless the machine says it has no CPUs).</summary>
    public bool HasCpus(int node) => Machine is null || Machine.CpusPerNode[node] > 0;

    /// <summary>A one-line reason the spec cannot run, or null.</summary>
    public string? Validate()
    {
        if (Nodes < 2)
        {
            return "an experiment needs at least 2 NUMA nodes";
        }
        if (Distances.Any(row => row.Length != Nodes))
        {
            return "the distance matrix is not square";
        }
        if (Machine is not null && Machine.Nodes != Nodes)
        {
            return $"the machine {Machine.Name} has {Machine.Nodes} nodes but the topology has {Nodes}";
        }
        if (AddressSpaces < 1 || PagesPerSpace < 1 || TasksPerSpace < 1 || AccessesPerTask < 0)
        {
            return "address spaces, pages, tasks must be at least 1 and accesses at least 0";
        }
        if (PinnedPagesPerSpace < 0 || PinnedPagesPerSpace > PagesPerSpace)
        {
            return "pinned pages must be between 0 and the pages of a process";
        }
        if (ThinkNs < 0)
        {
            return "the think time must be at least 0 ns";
        }
        // Written so that NaN fails too.
        if (!(FileFraction is >= 0 and <= 1) || !(WriteFraction is >= 0 and <= 1))
        {
            return "fractions must be between 0 and 1";
        }
        if (!(double.IsFinite(PacePagesPerSecond) && PacePagesPerSecond >= 0))
        {
            return "the pace must be a finite number of pages per second above 0";
        }
        if (ClientLease < TimeSpan.Zero)
        {
            return "the client lease must be at least 0";
        }
        var needed = (long)AddressSpaces * PagesPerSpace * 2;
        if (needed > (long)FramesPerNode * Nodes)
        {
            return $"{AddressSpaces} address spaces x {PagesPerSpace} pages need about {needed} frames (pages plus their new copies), more than {Nodes} nodes x {FramesPerNode} frames";
        }
        if (FolioOrder < 0 || FolioOrder > Memory.Pages.FolioSizes.MaxOrder)
        {
            return $"the folio order must be between 0 and {Memory.Pages.FolioSizes.MaxOrder} (was {FolioOrder})";
        }
        if (FolioOrder > 0 && 1L << FolioOrder > PrivatePagesPerSpace)
        {
            return $"--folio-size {Memory.Pages.FolioSizes.Name(FolioOrder)} is larger than a process's private memory ({PrivatePagesPerSpace} pages)";
        }
        return null;
    }
}
