using MigrationCluster.Scenarios;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Cli.Tests;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>In-process checks of what the process-level tests cannot reach with valid input.</summary>
public sealed class ScenarioRunnerTests
{
    private static readonly string TwoPages = File.ReadAllText(Path.Combine(RepositoryPaths.TestScenarios, "two-pages.yaml"));

    [Fact]
    public async Task A_broken_invariant_is_reported_and_stops_the_run()
    {
        ScenarioDefinition scenario = ScenarioParser.Parse(TwoPages, "broken.yaml", json: false);
        var engine = new ModelScenarioEngine();
        var runner = new ScenarioRunner(scenario, "broken.yaml", engine)
        {
            // Corrupt the contents of the first page behind the model's back.
            AfterSetUp = () =>
            {
                AddressSpaceMemory space = engine.System.Space(0);
                Pte pte = space.GetPte(space.Vmas[0].Start);
                engine.System.Node(pte.Page.Node).WriteContents(pte.Page.Pfn, PageContents.Make(8));
                return Task.CompletedTask;
            },
        };

        ScenarioResult result = await runner.RunAsync();

        Assert.True(result.Failed);
        Assert.Equal(1, result.Invariants.Violations);
        Assert.Contains("expected 7", result.Invariants.Message, StringComparison.Ordinal);
        // The check after the setup found it: no call ran.
        Assert.Empty(result.Calls);
        Assert.Equal(1, result.Invariants.Checks);
    }

    [Fact]
    public async Task A_sound_run_checks_after_the_setup_and_after_every_call()
    {
        ScenarioDefinition scenario = ScenarioParser.Parse(TwoPages, "sound.yaml", json: false);

        ScenarioResult result = await new ScenarioRunner(scenario, "sound.yaml").RunAsync();

        Assert.False(result.Failed);
        Assert.Equal(3, result.Invariants.Checks);
        Assert.Equal([1, 1], result.Calls[0].Status!.Cast<int>());
        Assert.Equal([1], result.Calls[1].Status!.Cast<int>());
        Assert.Equal(2, result.Calls[0].VmstatDelta["pgmigrate_success"]);
        Assert.All(result.Pages, p => Assert.Equal(1, p.Node));
    }

    [Fact]
    public async Task A_large_scenario_is_checked_every_nth_call_and_after_the_last_so_checking_stays_linear()
    {
        // 11 calls on a machine of 1 process + 200,000 pages: 2,200,011 page-checks if every call
        // were checked, past the budget of 1,000,000, so every 3rd call is checked, and the last.
        var calls = string.Concat(Enumerable.Range(0, 11).Select(_ => "\n  - call: read\n    pid: app\n    pages: big:0"));
        var text = $"name: large\nnodes: 2\nframes_per_node: 16\nprocesses:\n  - name: app\n    home_node: 0\n    regions:\n      - name: big\n        kind: anon_private\n        pages: 200000\n        setup:\n          - pages: 0-3\n            write: 5\ncalls:{calls}\n";
        ScenarioDefinition scenario = ScenarioParser.Parse(text, "large.yaml", json: false);

        ScenarioResult result = await new ScenarioRunner(scenario, "large.yaml").RunAsync();

        Assert.False(result.Failed);
        Assert.Equal(11, result.Calls.Count);
        // After the setup, after calls 3, 6 and 9, and after the last (11).
        Assert.Equal(5, result.Invariants.Checks);
    }

    [Fact]
    public async Task A_model_exception_in_a_call_is_reported_as_a_violation_not_a_crash()
    {
        string text = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.TestScenarios, "write-after-move.yaml"));
        ScenarioDefinition scenario = ScenarioParser.Parse(text, "throws.yaml", json: false);
        var engine = new ModelScenarioEngine();
        var runner = new ScenarioRunner(scenario, "throws.yaml", engine)
        {
            // A home node the topology does not have: the next fault cannot find a fallback list.
            AfterSetUp = () =>
            {
                engine.System.Space(0).HomeNode = 9;
                return Task.CompletedTask;
            },
        };

        ScenarioResult result = await runner.RunAsync();

        Assert.True(result.Failed);
        Assert.Equal(2, result.Calls.Count);
        Assert.StartsWith("the model failed during the call", result.Calls[1].InvariantViolation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interleave_policy_places_first_touches_on_alternate_nodes()
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.TestScenarios, "interleave-first-touch.yaml"));
        ScenarioDefinition scenario = ScenarioParser.Parse(text, "interleave.yaml", json: false) with { Calls = [] };

        ScenarioResult result = await new ScenarioRunner(scenario, "interleave.yaml").RunAsync();

        var nodes = result.Pages.Select(p => p.Node!.Value).ToList();
        Assert.Equal(4, nodes.Count);
        Assert.Equal(2, nodes.Count(n => n == 0));
        Assert.All(nodes.Zip(nodes.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task A_process_policy_set_mempolicy_refuses_names_its_line()
    {
        // bind to a node outside the process's cpuset: mpol_set_nodemask leaves no node, -EINVAL.
        const string Text = "nodes: 2\nprocesses:\n  - name: a\n    cpuset: [0]\n    policy: { mode: bind, nodes: [1] }\ncalls: []\n";
        ScenarioDefinition scenario = ScenarioParser.Parse(Text, "policy.yaml", json: false);

        var exception = await Assert.ThrowsAsync<ScenarioFormatException>(() => new ScenarioRunner(scenario, "policy.yaml").RunAsync());

        Assert.Equal(5, exception.LineNumber);
        Assert.StartsWith("policy.yaml:5: process 'a': its policy is what set_mempolicy(2) refuses with EINVAL", exception.Message, StringComparison.Ordinal);
    }
}
