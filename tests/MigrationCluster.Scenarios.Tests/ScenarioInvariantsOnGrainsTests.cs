using MigrationCluster.Scenarios;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.AddressSpaces;
using Orleans;
using MigrationCluster.Cli.Tests;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>The invariant check on the grains reads their real state: a grain changed behind the runner's back is caught.</summary>
[Collection(ScenarioSiloCollection.Name)]
public sealed class ScenarioInvariantsOnGrainsTests(ScenarioSiloFixture silo)
{
    private static readonly ScenarioDefinition TwoPages = ScenarioParser.ParseFile(Path.Combine(RepositoryPaths.TestScenarios, "two-pages.yaml"));

    [Fact]
    public async Task A_write_the_runner_did_not_make_breaks_the_expected_contents()
    {
        var runner = new ScenarioRunner(TwoPages, "two-pages.yaml", new GrainScenarioEngine(silo.Grains))
        {
            AfterSetUp = async () =>
            {
                var space = silo.Grains.GetGrain<IAddressSpaceGrain>(0);
                var heap = (await space.GetRegions())[0];
                await space.Access(heap.Start, write: true, 8);
            },
        };

        ScenarioResult result = await runner.RunAsync();

        Assert.Equal(1, result.Invariants.Violations);
        Assert.Contains("expected 7", result.Invariants.Message, StringComparison.Ordinal);
        Assert.Empty(result.Calls);
    }

    [Fact]
    public async Task A_node_that_drops_a_mapping_its_address_space_still_has_is_caught()
    {
        var runner = new ScenarioRunner(TwoPages, "two-pages.yaml", new GrainScenarioEngine(silo.Grains))
        {
            // The node side of a munmap without the address space side: the frame is freed, the PTE still names it.
            AfterSetUp = async () =>
            {
                var entry = (await silo.Grains.GetGrain<IAddressSpaceGrain>(0).GetPageTable())[0];
                await silo.Grains.GetGrain<INumaNodeGrain>(entry.Page.Node).ZapPtes([new PteRef(0, entry.VirtualPage)], [entry.Page.Pfn]);
            },
        };

        ScenarioResult result = await runner.RunAsync();

        Assert.Equal(1, result.Invariants.Violations);
        Assert.Contains("free frame", result.Invariants.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Invariants.Checks);
    }
}
