using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Experiments;

/// <summary>
/// The options of <c>migration-cluster experiment</c>, with their defaults: a sweep small enough
/// that node counts up to 1,024 on one and three silos finish on a two-core machine (see the README).
/// </summary>
public sealed class ExperimentOptions
{
    public const string DefaultNodes = "2,4,8,16,32,64";
    public const string DefaultSilos = "1";
    public const int DefaultSpacesPerNode = 1;
    public const int DefaultPagesPerSpace = 16;
    public const int DefaultTasksPerSpace = 1;
    public const int DefaultAccesses = 32;
    public const int DefaultRepeat = 1;
    public const int MaxSilos = 16;
    public const int MinNodes = 2;

    /// <summary>The node counts of the sweep, in the order given.</summary>
    public IReadOnlyList<int> Nodes { get; set; } = [2, 4, 8, 16, 32, 64];

    /// <summary>Whether <see cref="Nodes"/> came from the command line (a topology file fixes the count otherwise).</summary>
    public bool NodesGiven { get; set; }

    /// <summary>The silo counts of the sweep (embedded clusters); empty with <see cref="ClusterDirectory"/>.</summary>
    public IReadOnlyList<int> Silos { get; set; } = [1];

    /// <summary>The folio orders of the sweep (the processes' private memory; 0: base pages), in the order given.</summary>
    public IReadOnlyList<int> FolioOrders { get; set; } = [0];

    public ExperimentTopology Topology { get; set; } = ExperimentTopology.Generated(Memory.Topology.SlitShape.Ring);

    /// <summary>A described machine (<c>--machine</c>): it fixes the node count and costs every point; null: the SLIT-derived model.</summary>
    public Machines.LoadedMachine? Machine { get; set; }

    /// <summary>The kernel's migration protocols to sweep (<c>--protocol per-page,batched</c>).</summary>
    public IReadOnlyList<Memory.Machines.MigrationProtocolKind> Protocols { get; set; } = [Memory.Machines.MigrationProtocolKind.PerPage];

    /// <summary>Processes (address spaces) per NUMA node: a point with N nodes runs K x N processes.</summary>
    public int SpacesPerNode { get; set; } = DefaultSpacesPerNode;

    public int PagesPerSpace { get; set; } = DefaultPagesPerSpace;

    public int TasksPerSpace { get; set; } = DefaultTasksPerSpace;

    /// <summary>Accesses per task before and after the migration (during it, the tasks run until it ends).</summary>
    public int Accesses { get; set; } = DefaultAccesses;

    public WorkloadPattern Workload { get; set; } = WorkloadPattern.Random;

    public MigrateMode Mode { get; set; } = MigrateMode.Sync;

    /// <summary>Private pages per process pinned by a driver (they back out at page_refcount_check).</summary>
    public int Pinned { get; set; }

    public int Repeat { get; set; } = DefaultRepeat;

    /// <summary>The first repeat's seed; repeat r runs with seed + r - 1.</summary>
    public int Seed { get; set; } = RunOptions.DefaultSeed;

    public double WriteFraction { get; set; } = RunOptions.DefaultWriteFraction;

    public double FileFraction { get; set; } = RunOptions.DefaultFileFraction;

    /// <summary>Run every point on this running local cluster (its state directory) instead of embedded silos.</summary>
    public string? ClusterDirectory { get; set; }

    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>Serve the dashboard on this loopback port while the sweep runs, and after it until Ctrl+C.</summary>
    public int? DashboardPort { get; set; }

    /// <summary>The Jaeger UI the dashboard links each migrate_pages call's trace to.</summary>
    public string? JaegerUrl { get; set; }

    /// <summary>The command line as given, for the results document.</summary>
    public IReadOnlyList<string> CommandLine { get; set; } = [];

    /// <summary>The seed of repeat <paramref name="repeat"/> (1-based).</summary>
    public int SeedOf(int repeat) => unchecked(Seed + repeat - 1);
}
