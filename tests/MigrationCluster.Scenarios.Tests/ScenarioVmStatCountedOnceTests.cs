using MigrationCluster.Memory;
using MigrationCluster.Scenarios;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>
/// A scenario's vmstat on either engine moves once per migrate_pages() call, by what the call
/// counted: the kernel-internal migrations the scenario makes itself (counted by the engine) and
/// the syscalls' (counted by the process) alike. A second count anywhere doubles a delta here.
/// </summary>
[Collection(ScenarioSiloCollection.Name)]
public sealed class ScenarioVmStatCountedOnceTests(ScenarioSiloFixture silo)
{
    private const string Scenario = """
        nodes: 2
        processes:
          - name: a
            regions:
              - name: heap
                kind: anon_private
                pages: 6
                setup:
                  - pages: 0-4
                    write: 7
                  - pages: 5
                    write: 8
                    writeback: true
        calls:
          - call: migrate
            pid: a
            pages: heap:0-1
            node: 1
          - call: migrate
            pid: a
            pages: heap:5
            node: 1
            mode: async
          - call: move_pages
            pid: a
            pages: heap:2-4
            nodes: 1
            flags: MPOL_MF_MOVE
          - call: read
            pid: a
            pages: heap:0-4
        """;

    [Fact]
    public async Task Each_call_moves_the_counters_by_its_own_pages_once_on_both_engines()
    {
        ScenarioDefinition scenario = ScenarioParser.Parse(Scenario, "vmstat.yaml", json: false);
        foreach (IScenarioEngine engine in new IScenarioEngine[] { new ModelScenarioEngine(), new GrainScenarioEngine(silo.Grains) })
        {
            ScenarioResult result = await new ScenarioRunner(scenario, "vmstat.yaml", engine).RunAsync();

            Assert.False(result.Failed, $"{engine.Name}: {result.Invariants.Message}");
            // migrate (compaction): two pages; the page under writeback cannot move in async mode
            // (-EBUSY, a failed page of that migrate_pages call); move_pages: three pages; a read: nothing.
            (long Success, long Fail)[] expected = [(2, 0), (0, 1), (3, 0), (0, 0)];
            Assert.Equal(expected, result.Calls.Select(c => (c.VmstatDelta[VmStat.PgmigrateSuccessName], c.VmstatDelta[VmStat.PgmigrateFailName])));
            Assert.All(result.Calls, c => Assert.Equal(0, c.VmstatDelta[VmStat.NumaPagesMigratedName]));
            Assert.All(result.Calls, c => Assert.Equal(0, c.VmstatDelta[VmStat.PgfaultName]));
            Assert.Equal((5L, 1L, 0L), (result.Vmstat[VmStat.PgmigrateSuccessName], result.Vmstat[VmStat.PgmigrateFailName], result.Vmstat[VmStat.NumaPagesMigratedName]));
        }
    }

    private const string PartialUnmap = """
        nodes: 2
        frames_per_node: 1024
        processes:
          - name: a
            regions:
              - name: heap
                kind: anon_private
                pages: 512
                folio_size: 2M
                setup:
                  - pages: 0
                    write: 7
        calls:
          - call: munmap
            pid: a
            range: heap:0-99
          - call: munmap
            pid: a
            range: heap:400-511
          - call: move_pages
            pid: a
            pages: heap:200
            nodes: 1
            flags: MPOL_MF_MOVE
        """;

    [Fact]
    public async Task A_partially_mapped_thp_is_queued_once_and_split_once_and_idle_sizes_stay_out_of_the_result_on_both_engines()
    {
        ScenarioDefinition scenario = ScenarioParser.Parse(PartialUnmap, "partial.yaml", json: false);
        string perSizeSplit = VmStat.MthpStatName(9, VmStat.MthpSplitName), perSizeDeferred = VmStat.MthpStatName(9, VmStat.MthpSplitDeferredName);
        foreach (IScenarioEngine engine in new IScenarioEngine[] { new ModelScenarioEngine(), new GrainScenarioEngine(silo.Grains) })
        {
            ScenarioResult result = await new ScenarioRunner(scenario, "partial.yaml", engine).RunAsync();

            Assert.False(result.Failed, $"{engine.Name}: {result.Invariants.Message}");
            // The first munmap queues the folio for deferred split; the second finds it queued already.
            Assert.Equal([1L, 0L, 0L], result.Calls.Select(c => c.VmstatDelta[VmStat.ThpDeferredSplitPageName]));
            ScenarioCallResult move = result.Calls[2];
            Assert.Equal(0, move.ReturnValue);
            Assert.Equal(
                (1L, 1L, 1L, 0L, 512L),
                (move.VmstatDelta[VmStat.ThpMigrationSplitName], move.VmstatDelta[VmStat.ThpSplitPageName], move.VmstatDelta[perSizeSplit], move.VmstatDelta[VmStat.ThpMigrationSuccessName], move.VmstatDelta[VmStat.PgmigrateSuccessName]));
            Assert.Equal((1L, 1L), (result.Vmstat[perSizeSplit], result.Vmstat[perSizeDeferred]));
            Assert.DoesNotContain(result.Vmstat.Keys, k => k.StartsWith("hugepages-64kB/", StringComparison.Ordinal));
            Assert.DoesNotContain(move.VmstatDelta.Keys, k => k.StartsWith("hugepages-16kB/", StringComparison.Ordinal));
        }
    }
}
