using MigrationCluster.Memory.Migration;
using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Experiments;

/// <summary>
/// What one point of a sweep (a node count on a silo count, one repeat) measured. The simulated
/// figures (pages, migrations, access latency before and after, local fractions, invariants) are
/// the same for the same seed; the timing figures (wall-clock time, pages/s, step latencies, the
/// accesses made while the migration ran, grain calls, memory) depend on the machine and its load.
/// </summary>
public sealed record ExperimentRow
{
    public required int Nodes { get; init; }

    public required int Silos { get; init; }

    /// <summary>The folio size of the processes' private memory (4K: base pages).</summary>
    public string FolioSize { get; init; } = "4K";

    /// <summary>1-based.</summary>
    public required int Repeat { get; init; }

    public required int Seed { get; init; }

    /// <summary>ring, sockets, mesh or the topology file's name (the machine's with --machine).</summary>
    public required string Topology { get; init; }

    /// <summary>The machine preset's or file's name, or "slit" for the SLIT-derived model.</summary>
    public string Machine { get; init; } = "slit";

    /// <summary>The kernel's migration protocol: per-page or batched.</summary>
    public string Protocol { get; init; } = Machines.MachineNames.PerPage;

    public required int AddressSpaces { get; init; }

    public required int PagesMapped { get; init; }

    public required int PagesToMigrate { get; init; }

    public required int Migrated { get; init; }

    public required int Failed { get; init; }

    public required int Retried { get; init; }

    public required int Passes { get; init; }

    public required double MigrationMs { get; init; }

    /// <summary>The simulator's speed: pages migrated per second of host wall time.</summary>
    public double PagesPerSecond => MigrationMs <= 0 ? 0 : Migrated / (MigrationMs / 1000.0);

    /// <summary>The migration's simulated duration (its longest migrate_pages call).</summary>
    public required long SimMigrationNs { get; init; }

    /// <summary>Base pages migrated (pgmigrate_success): <see cref="Migrated"/> counts folios, a large one for all its pages.</summary>
    public long PagesMigrated { get; init; }

    /// <summary>Base pages migrated per second of simulated time: the simulated machine's throughput.</summary>
    public double SimPagesPerSecond => SimMigrationNs <= 0 ? 0 : PagesMigrated * 1e9 / SimMigrationNs;

    public double SimGbPerSecond => SimMigrationNs <= 0 ? 0 : PagesMigrated * 4096.0 / SimMigrationNs;

    public required long TlbShootdowns { get; init; }

    /// <summary>IPIs the TLB shootdowns sent (one per target CPU).</summary>
    public long TlbIpis { get; init; }

    /// <summary>Simulated time the tasks slept on page locks during the migration.</summary>
    public required long DuringSleepNs { get; init; }

    /// <summary>Per protocol step: its simulated duration in each batch.</summary>
    public required IReadOnlyList<StepSimulatedTimes> SimSteps { get; init; }

    public StepSimulatedTimes? SimStep(int number) => SimSteps.FirstOrDefault(s => s.Step == number);

    /// <summary>Mean simulated access latency before, during and after the migration.</summary>
    public required double LatencyBeforeNs { get; init; }

    public required double LatencyDuringNs { get; init; }

    public required double LatencyAfterNs { get; init; }

    public required double LocalFractionBefore { get; init; }

    public required double LocalFractionAfter { get; init; }

    /// <summary>Accesses the tasks made while the migration ran, and the sleeps on page locks among them.</summary>
    public required long DuringAccesses { get; init; }

    public required long DuringWaits { get; init; }

    /// <summary>The simulation's grain calls over the point (null where not measured: a <c>--cluster</c> run's silos are other processes).</summary>
    public required long? GrainCalls { get; init; }

    public required long? CrossSiloCalls { get; init; }

    public double? CrossSiloFraction => GrainCalls is > 0 && CrossSiloCalls is { } cross ? (double)cross / GrainCalls.Value : null;

    /// <summary>Peak resident set of this process over the point (VmHWM after a reset), in MiB.</summary>
    public required double PeakMemoryMb { get; init; }

    public required int InvariantViolations { get; init; }

    /// <summary>The whole point: silos started, experiment run, silos stopped.</summary>
    public required double PointMs { get; init; }

    /// <summary>Per protocol step: batches, total, mean, p50 and p99 of one batch's time.</summary>
    public required IReadOnlyList<StepLatency> Steps { get; init; }

    /// <summary>The step's figures, or null if no batch went through it.</summary>
    public StepLatency? Step(int number) => Steps.FirstOrDefault(s => s.Step == number);
}
