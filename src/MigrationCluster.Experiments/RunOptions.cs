using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Experiments;

/// <summary>The options of <c>migration-cluster run</c>, with their defaults (the embedded main job).</summary>
public sealed class RunOptions
{
    public const int DefaultNodes = 4;
    public const int DefaultAddressSpaces = 4;
    public const int DefaultPages = 256;
    public const int DefaultTasks = 4;
    public const int DefaultAccesses = 500;
    public const double DefaultWriteFraction = 0.3;
    public const double DefaultFileFraction = 0.25;
    public const int DefaultSeed = 1;
    public const int DefaultSilos = 1;

    public int Nodes { get; set; } = DefaultNodes;

    /// <summary>Whether --nodes was on the command line (a topology file fixes the count, so both is a mistake).</summary>
    public bool NodesGiven { get; set; }

    public string? TopologyFile { get; set; }

    /// <summary>A machine preset's name or a machine file (docs/machines.md); null: the SLIT-derived model over --nodes or --topology.</summary>
    public string? Machine { get; set; }

    /// <summary>The kernel's migrate_pages generation: per page (before 6.3, the default) or batched (6.3 and later).</summary>
    public MigrationProtocolKind Protocol { get; set; } = MigrationProtocolKind.PerPage;

    /// <summary>The folio size of the processes' private memory (4K, 64K, 2M ...; null: base pages).</summary>
    public string? FolioSize { get; set; }

    public int AddressSpaces { get; set; } = DefaultAddressSpaces;

    /// <summary>Pages per address space.</summary>
    public int Pages { get; set; } = DefaultPages;

    /// <summary>Frames per node; by default enough for every page and its new copy, twice over.</summary>
    public int? FramesPerNode { get; set; }

    public WorkloadPattern Workload { get; set; } = WorkloadPattern.Random;

    public MigrateMode Mode { get; set; } = MigrateMode.Sync;

    public int Seed { get; set; } = DefaultSeed;

    public int Silos { get; set; } = DefaultSilos;

    public int Tasks { get; set; } = DefaultTasks;

    public int Accesses { get; set; } = DefaultAccesses;

    public double WriteFraction { get; set; } = DefaultWriteFraction;

    public double FileFraction { get; set; } = DefaultFileFraction;

    /// <summary>Private pages per process that a driver pins (they back out at page_refcount_check).</summary>
    public int Pinned { get; set; }

    /// <summary>
    /// At most this many pages per second of the host's time (to watch a run on the dashboard);
    /// null runs as fast as the host allows. Nothing simulated changes.
    /// </summary>
    public double? Pace { get; set; }

    /// <summary>The slowest pace: a page every 1,000 s (a slower one is a mistake, and 1e-300 overflowed the wait).</summary>
    public const double MinPace = 0.001;

    public string Trace { get; set; } = "none";

    /// <summary>How the tasks run during the migration: in simulated time (deterministic) or free (a stress test).</summary>
    public Grains.Experiments.TaskSchedule Schedule { get; set; } = Grains.Experiments.TaskSchedule.Simulated;

    /// <summary>Per-page spans under each step (default: one span per step per batch).</summary>
    public bool TracePages { get; set; }

    /// <summary>The clock of the exported spans' timestamps: the host's, or simulated time from a fixed epoch.</summary>
    public Hosting.Telemetry.TraceClock TraceClock { get; set; } = Hosting.Telemetry.TraceClock.Host;

    /// <summary>Also trace the grain calls tasks make for each access.</summary>
    public bool TraceAccesses { get; set; }

    public string? JsonPath { get; set; }

    /// <summary>Run against a running local cluster (its state directory) instead of an embedded one.</summary>
    public string? ClusterDirectory { get; set; }

    /// <summary>Serve the dashboard (the machine's page and Orleans' dashboard) on this loopback port during the run, and after it until Ctrl+C.</summary>
    public int? DashboardPort { get; set; }

    /// <summary>The Jaeger UI the dashboard links each migrate_pages call's trace to.</summary>
    public string? JaegerUrl { get; set; }
}
