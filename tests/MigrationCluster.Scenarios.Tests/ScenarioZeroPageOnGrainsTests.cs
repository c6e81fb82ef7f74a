using MigrationCluster.Scenarios;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>do_anonymous_page on the grains: a read first touch of private anonymous memory maps the zero page, no frame.</summary>
[Collection(ScenarioSiloCollection.Name)]
public sealed class ScenarioZeroPageOnGrainsTests(ScenarioSiloFixture silo)
{
    private const string Text = """
        nodes: 2
        frames_per_node: 4
        processes:
          - name: app
            regions:
              - name: heap
                kind: anon_private
                pages: 2
                setup:
                  - pages: 0
                  - pages: 1
                    node: 1
        calls:
          - call: move_pages
            pid: app
            pages: heap:0-1
            nodes: 1
            flags: MPOL_MF_MOVE
          - call: read
            pid: app
            pages: heap:0
          - call: write
            pid: app
            pages: heap:1
            value: 5
        """;

    [Fact]
    public async Task A_read_first_touch_reports_the_zero_page_and_move_pages_on_it_is_EFAULT()
    {
        ScenarioDefinition scenario = ScenarioParser.Parse(Text, "zero.yaml", json: false);

        ScenarioResult result = await new ScenarioRunner(scenario, "zero.yaml", new GrainScenarioEngine(silo.Grains)).RunAsync();

        Assert.Equal("grains", result.Engine);
        Assert.Equal(0, result.Invariants.Violations);
        // Both pages were read faults: neither has a frame, not even the one touched "on node 1".
        Assert.Equal(["EFAULT", "EFAULT"], result.Calls[0].Status!.Select(s => s.ToString()));
        Assert.Equal(0, result.Calls[0].VmstatDelta["pgmigrate_success"]);
        Assert.Equal([ScenarioStatus.ZeroPage], result.Calls[1].Status!.Select(s => s.ToString()));
        // A write to the zero page is a write-protect fault: a frame of its own, on the home node.
        Assert.Equal(1, result.Calls[2].VmstatDelta["pgfault"]);
        Assert.Equal(ScenarioRunner.ZeroPageLocation, result.Pages[0].Location);
        Assert.Null(result.Pages[0].Node);
        Assert.Equal("0:0", result.Pages[1].Location);
    }
}
