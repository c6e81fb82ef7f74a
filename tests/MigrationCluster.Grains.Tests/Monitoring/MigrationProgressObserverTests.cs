using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Grains.Tests.Monitoring;

public sealed class MigrationProgressObserverTests
{
    [Fact]
    public async Task It_reports_once_per_batch_with_the_pages_so_far_and_passes_everything_on()
    {
        // 3 nodes; 10 pages on node 0 go to node 1, 6 on node 2 go to node 0; batches of 4 pages.
        var system = new MemorySystem(NumaTopology.Uniform(3, remote: 21), new MemorySystemOptions { FramesPerNode = 64 });
        var space = system.CreateAddressSpace(homeNode: 0);
        var region = system.MmapAnon(space.Id, 16);
        var requests = new List<MigrationRequest>();
        for (var i = 0; i < 16; i++)
        {
            // First touch allocates on the home node.
            var home = i < 10 ? 0 : 2;
            space.HomeNode = home;
            var page = system.Write(space.Id, region.Start + i, (ulong)i).Page;
            Assert.Equal(home, page.Node);
            Assert.True(system.Node(page.Node).IsolateLruPage(page.Pfn));
            requests.Add(new MigrationRequest(page, i < 10 ? 1 : 0));
        }

        var inner = new CountingObserver();
        var reports = new List<(int Succeeded, int Failed, int Passes, NodeMigrationCount[] Nodes)>();
        var observer = new MigrationProgressObserver(inner, p => reports.Add((p.Succeeded, p.Failed, p.Passes, [.. p.Nodes])));
        var protocol = new MigrationProtocol(new InProcessMigrationBackend(system), observer, new MigrationProtocolOptions { BatchSize = 4 });
        var result = await protocol.MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall);

        Assert.Equal(16, result.Succeeded);
        Assert.Equal([4, 8, 12, 16], reports.Select(r => r.Succeeded));
        Assert.All(reports, r => Assert.Equal((0, 1), (r.Failed, r.Passes)));
        Assert.Equal(
            [new NodeMigrationCount(0, 6, 10), new NodeMigrationCount(1, 10, 0), new NodeMigrationCount(2, 0, 6)],
            reports[^1].Nodes);
        // The tracer behind it saw every page and step.
        Assert.Equal(16, inner.PagesEnded);
        Assert.Equal(4 * MigrationSteps.InOrder.Count(s => s is not (MigrationStep.RadixTreeLock or MigrationStep.RadixTreeCheck or MigrationStep.RadixTreeReplace or MigrationStep.RadixTreeUnlock)), inner.StepsEnded);
        Assert.Equal(1, inner.MigrationsEnded);
    }

    private sealed class CountingObserver : MigrationObserver
    {
        public int PagesEnded { get; private set; }

        public int StepsEnded { get; private set; }

        public int MigrationsEnded { get; private set; }

        public override void PageEnded(int pass, in MigrationPage page, int errno) => PagesEnded++;

        public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch) => StepsEnded++;

        public override void MigrationEnded(MigrateResult result) => MigrationsEnded++;
    }
}
