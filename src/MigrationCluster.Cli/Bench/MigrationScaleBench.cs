using System.Diagnostics;
using System.Runtime;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// <c>bench migration --scale</c>: 1,024 NUMA node grains on three silos holding 16,777,216
/// pages; how long the machine takes to build, how fast every page moves to the next node, and
/// the process's peak memory (working set, which is what the host must have).
/// </summary>
public static class MigrationScaleBench
{
    public const int Silos = 3;

    public static async Task<ScaleFigures> RunAsync(Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var build = Stopwatch.StartNew();
        await using var engine = await GrainMigrationEngine.StartAsync(Silos, MigrationBenchOptions.ScalePages, MigrationBenchOptions.ScaleNodes);
        var buildSeconds = build.Elapsed.TotalSeconds;
        // The build's garbage (page lists, serialized replies) goes before the migration starts,
        // so the peak below is the machine's and the migration's, not leftovers of the build.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        progress($"built {engine.Pages:N0} pages on {MigrationBenchOptions.ScaleNodes:N0} node grains in {buildSeconds:0.0} s; managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / (1 << 20):N0} MiB, working set {Environment.WorkingSet / (1 << 20):N0} MiB");
        var (pagesPerS, migrated) = await engine.MigrateRoundAsync();
        progress($"migrated {migrated:N0} pages at {pagesPerS:N0} pages/s");
        using var process = Process.GetCurrentProcess();
        return new ScaleFigures(MigrationBenchOptions.ScaleNodes, Silos, engine.Pages, buildSeconds, migrated, pagesPerS, process.PeakWorkingSet64);
    }
}
