using System.Diagnostics;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// Measures the memory model: migrating N pages from node 0 to node 1 through every step of the
/// real protocol driver and in-process backend, against a floor measured in the same run (a bare
/// loop copying the same page representation from one array to another); the model's memory per
/// page; and the memory of a 16-million-page, 1,024-node model.
/// </summary>
public static class ModelBench
{
    public static ModelBenchResult Run(ModelBenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int pages = options.Pages;

        double floor = MeasureFloor(pages, options.FloorRepetitions);

        long before = GC.GetTotalMemory(forceFullCollection: true);
        var system = new MemorySystem(NumaTopology.Uniform(2, remote: 21), new MemorySystemOptions { FramesPerNode = pages });
        var space = system.CreateAddressSpace(homeNode: 0);
        var vma = system.MmapAnon(space.Id, pages);
        var requests = new MigrationRequest[pages];
        for (int i = 0; i < pages; i++)
        {
            AccessResult r = system.Write(space.Id, vma.Start + i, (ulong)i);
            requests[i] = new MigrationRequest(r.Page, 1);
        }

        long held = GC.GetTotalMemory(forceFullCollection: true) - before - (requests.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<MigrationRequest>());

        var protocol = new MigrationProtocol(new InProcessMigrationBackend(system));

        // The measured migration is the process's first: it includes the JIT's warm-up, as a
        // one-shot command sees it. The pages then go back to node 0 with the code warm.
        (double model, long allocated, MigrateResult result) = MeasureMigration(system, protocol, requests, from: 0, to: 1);
        double simulated = system.SimulatedNs;
        var back = new MigrationRequest[pages];
        for (int i = 0; i < pages; i++)
        {
            back[i] = new MigrationRequest(result.NewPages[i], 0);
        }

        (double warm, _, _) = MeasureMigration(system, protocol, back, from: 1, to: 0);
        GC.KeepAlive(system);
        GC.KeepAlive(requests);

        (long largeBytes, long largePages) = MeasureLargeModel(options);
        return new ModelBenchResult
        {
            Pages = pages,
            FloorPagesPerS = floor,
            ModelPagesPerS = model,
            Ratio = model / floor,
            WarmModelPagesPerS = warm,
            WarmRatio = warm / floor,
            BytesPerPage = held / (2.0 * pages),
            BytesPerMappedPage = held / (double)pages,
            AllocatedBytesPerMigratedPage = allocated / (double)pages,
            Migrated = pages,
            SimulatedNs = simulated,
            LargeModelNodes = options.LargeModelPages > 0 ? options.LargeModelNodes : 0,
            LargeModelPages = largePages,
            LargeModelBytes = largeBytes,
        };
    }

    // One migrate_pages of every page of node `from` to node `to`, timed with the LRU isolation it needs.
    private static (double PagesPerS, long Allocated, MigrateResult Result) MeasureMigration(
        MemorySystem system, MigrationProtocol protocol, MigrationRequest[] requests, int from, int to)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        MigrationCluster.Memory.Nodes.NodeMemory source = system.Node(from);
        foreach (MigrationRequest q in requests)
        {
            source.IsolateLruPage(q.Page.Pfn);
        }

        MigrateResult result = protocol.MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall).AsTask().GetAwaiter().GetResult();
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (result.Succeeded != requests.Length || system.Node(to).FreePages != 0)
        {
            throw new InvalidOperationException($"benchmark migration {from} -> {to} moved {result.Succeeded} of {requests.Length} pages");
        }

        return (requests.Length / watch.Elapsed.TotalSeconds, allocated, result);
    }

    // The floor: the page representation the model keeps (one PageFrame) copied array to array.
    private static double MeasureFloor(int pages, int repetitions)
    {
        var source = new PageFrame[pages];
        var target = new PageFrame[pages];
        for (int i = 0; i < pages; i++)
        {
            source[i].Index = i;
            source[i].Contents = PageContents.Make((ulong)i);
            source[i].Refcount = 1;
        }

        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < pages; i++)
            {
                target[i] = source[i];
            }

            watch.Stop();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        GC.KeepAlive(target);
        return pages / Math.Max(best, 1e-9);
    }

    private static (long Bytes, long Pages) MeasureLargeModel(ModelBenchOptions options)
    {
        if (options.LargeModelPages == 0)
        {
            return (0, 0);
        }

        int perNode = (int)(options.LargeModelPages / options.LargeModelNodes);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var large = new MemorySystem(NumaTopology.Uniform(options.LargeModelNodes, remote: 32), new MemorySystemOptions { FramesPerNode = perNode });
        long bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(large);
        return (bytes, (long)perNode * options.LargeModelNodes);
    }
}
