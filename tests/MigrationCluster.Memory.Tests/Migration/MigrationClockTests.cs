using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Tests.Migration;

public sealed class MigrationClockTests
{
    /// <summary>Two processes with <paramref name="pages"/> anonymous pages each on node 0, isolated for migration to node 1.</summary>
    private static (MemorySystem System, MigrationRequest[] Requests) World(int pages)
    {
        MemorySystem s = Harness.System(frames: 256);
        var requests = new List<MigrationRequest>();
        for (int p = 0; p < 2; p++)
        {
            AddressSpaceMemory a = s.CreateAddressSpace(0);
            Vma vma = s.MmapAnon(a.Id, pages);
            for (int i = 0; i < pages; i++)
            {
                PageRef page = Harness.Touch(s, a.Id, vma.Start + i, (ulong)(i + 1));
                Assert.True(s.Node(0).IsolateLruPage(page.Pfn));
                requests.Add(new MigrationRequest(page, 1));
            }
        }
        return (s, [.. requests]);
    }

    private static async Task<MigrationClock> Migrate(int pages, IMigrationTimeGate? gate = null, int batchSize = MigrationProtocolOptions.DefaultBatchSize, MigrationProtocolKind protocol = MigrationProtocolKind.Batched, int cpusPerProcess = 0)
    {
        var (s, requests) = World(pages);
        var clock = new MigrationClock(s.Cost, gate, protocol, cpusPerProcess);
        var driver = new MigrationProtocol(new InProcessMigrationBackend(s), options: new MigrationProtocolOptions { BatchSize = batchSize }, clock: clock);
        MigrateResult r = await driver.MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall);
        Assert.Equal(requests.Length, r.Succeeded);
        return clock;
    }

    [Fact]
    public async Task Each_step_costs_what_the_cost_model_says_for_its_batch_and_the_steps_run_back_to_back()
    {
        MigrationClock clock = await Migrate(pages: 8);
        var o = new CostModelOptions();
        var steps = clock.Steps.ToDictionary(s => s.Step);
        // The anonymous batch skips the radix-tree steps.
        Assert.Equal([1, 2, 3, 4, 6, 8, 10, 12, 13, 14, 15, 16, 19, 20], clock.Steps.Select(s => s.Step));
        Assert.All(clock.Steps, s => Assert.Single(s.BatchNs));
        // 16 PTEs unmapped in two address spaces, batched: one deferred flush for the batch, no other CPU to reach.
        Assert.Equal((long)(o.StepNs + (16 * o.PteUpdateNs) + o.TlbFlushNs), steps[4].TotalNs);
        Assert.Equal(1, clock.TlbShootdowns);
        Assert.Equal(0, clock.TlbIpis);
        // Node 0 to node 1 at distance 21: the copy bandwidth falls to 10/21 of the local one.
        long perPage = (long)Math.Round(PageContents.PageSize / (o.LocalCopyBytesPerNs * 10 / 21));
        Assert.Equal((long)o.StepNs + (16 * perPage), steps[12].TotalNs);
        Assert.Equal((long)(o.StepNs + (16 * o.PageAllocNs)), steps[3].TotalNs);
        Assert.Equal((long)(o.StepNs + (16 * o.RemapNs)), steps[16].TotalNs);
        Assert.Equal(clock.Steps.Sum(s => s.TotalNs), clock.NowNs);
        Assert.Equal(16, clock.PagesCopied);
    }

    [Fact]
    public async Task Per_page_flushes_each_unmapped_pte_with_ipis_to_the_process_cpus_and_pays_each_steps_fixed_cost_per_page()
    {
        const int cpus = 3;
        MigrationClock perPage = await Migrate(pages: 8, protocol: MigrationProtocolKind.PerPage, cpusPerProcess: cpus);
        MigrationClock batched = await Migrate(pages: 8, protocol: MigrationProtocolKind.Batched, cpusPerProcess: cpus);
        var o = new CostModelOptions();
        var steps = perPage.Steps.ToDictionary(s => s.Step);
        // 16 PTEs, each its own shootdown to the 3 CPUs its process runs on; step 4's fixed cost once per page.
        Assert.Equal(16, perPage.TlbShootdowns);
        Assert.Equal(16 * cpus, perPage.TlbIpis);
        Assert.Equal((long)((16 * o.StepNs) + (16 * o.PteUpdateNs) + (16 * (o.TlbFlushNs + (cpus * o.TlbIpiNs)))), steps[4].TotalNs);
        // Batched: one flush for the batch, to the union of both processes' CPUs.
        Assert.Equal(1, batched.TlbShootdowns);
        Assert.Equal(2 * cpus, batched.TlbIpis);
        Assert.Equal((long)(o.StepNs + (16 * o.PteUpdateNs) + o.TlbFlushNs + (2 * cpus * o.TlbIpiNs)), batched.Steps.Single(s => s.Step == 4).TotalNs);
        Assert.True(batched.NowNs < perPage.NowNs);
        Assert.Equal(perPage.Steps.Select(s => s.Step), batched.Steps.Select(s => s.Step));
    }

    [Fact]
    public async Task The_same_migration_costs_the_same_and_more_pages_cost_more()
    {
        MigrationClock a = await Migrate(pages: 40, batchSize: 16);
        MigrationClock b = await Migrate(pages: 40, batchSize: 16);
        Assert.Equal(a.NowNs, b.NowNs);
        Assert.Equal(a.Steps.Select(s => string.Join(",", s.BatchNs)), b.Steps.Select(s => string.Join(",", s.BatchNs)));
        // 80 pages in batches of 16: five batches, each step once per batch.
        Assert.All(a.Steps, s => Assert.Equal(5, s.BatchNs.Length));
        MigrationClock small = await Migrate(pages: 8, batchSize: 16);
        Assert.True(small.NowNs < a.NowNs);
    }

    [Fact]
    public async Task The_gate_sees_the_steps_tasks_can_see_in_simulated_time_order_and_then_the_end()
    {
        var gate = new RecordingGate();
        MigrationClock clock = await Migrate(pages: 20, gate, batchSize: 16);
        // Three batches (40 pages), each gated before lock_new_page, try_to_unmap, remove_migration_ptes and unlock_page.
        int[] perBatch = [3, 4, 16, 19];
        Assert.Equal([.. perBatch, .. perBatch, .. perBatch], gate.Steps);
        Assert.Equal(gate.Times.Order(), gate.Times);
        Assert.Equal(clock.NowNs, gate.EndNs);
        // Each gate is at its step's start: lock_page and wait_on_page_writeback of the first batch come before the first.
        var steps = clock.Steps.ToDictionary(s => s.Step);
        Assert.Equal(steps[1].BatchNs[0] + steps[2].BatchNs[0], gate.Times[0]);
    }

    [Fact]
    public void The_percentiles_of_a_step_are_nearest_rank_over_its_batches()
    {
        var step = new StepSimulatedTimes(12, "copy_page", [5, 1, 4, 2, 3]);
        Assert.Equal(15, step.TotalNs);
        Assert.Equal(3, step.P50Ns);
        Assert.Equal(5, step.P99Ns);
        Assert.Equal(0, new StepSimulatedTimes(1, "lock_page", []).P99Ns);
    }

    private sealed class RecordingGate : IMigrationTimeGate
    {
        public List<int> Steps { get; } = [];

        public List<long> Times { get; } = [];

        public long EndNs { get; private set; } = -1;

        public ValueTask Reach(MigrationStep step, long atNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs)
        {
            Steps.Add(step.Number());
            Times.Add(atNs);
            return ValueTask.CompletedTask;
        }

        public ValueTask Finish(long endNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs)
        {
            EndNs = endNs;
            return ValueTask.CompletedTask;
        }
    }
}
