using System.Text.Json;
using System.Text.Json.Nodes;
using MigrationCluster.Scenarios;
using MigrationCluster.Cli.Tests;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>
/// Every scenario there is (the examples, the tests' own files, the format doc's tour) runs on the
/// in-process model and on the grains of one silo, and the two result documents must be equal to
/// the byte, pfns included. The only field left out is <c>engine</c>, which names the engine.
/// </summary>
[Collection(ScenarioSiloCollection.Name)]
public sealed class ScenarioEngineComparisonTests(ScenarioSiloFixture silo)
{
    private const string TourName = "docs/scenarios.md (the commented example)";

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(RepositoryPaths.ExampleScenarios).Concat(Directory.GetFiles(RepositoryPaths.TestScenarios)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, path));
        }

        data.Add(TourName);
        return data;
    }

    [Fact]
    public void Every_example_and_test_scenario_is_compared()
    {
        var names = ((IEnumerable<object[]>)Scenarios()).Select(row => (string)row[0]).ToList();
        Assert.Equal(Directory.GetFiles(RepositoryPaths.ExampleScenarios).Length + Directory.GetFiles(RepositoryPaths.TestScenarios).Length + 1, names.Count);
        Assert.True(names.Count >= 25, $"only {names.Count} scenarios");
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task The_result_is_the_same_on_the_model_and_on_the_grains(string name)
    {
        ScenarioDefinition scenario = await Parse(name);

        ScenarioResult model = await new ScenarioRunner(scenario, name, new ModelScenarioEngine()).RunAsync();
        ScenarioResult grains = await new ScenarioRunner(scenario, name, new GrainScenarioEngine(silo.Grains)).RunAsync();

        Assert.Equal("model", model.Engine);
        Assert.Equal("grains", grains.Engine);
        Assert.Equal(0, model.Invariants.Violations);
        Assert.NotEmpty(model.Pages);
        // Simulated time: a call that migrated (or tried to) took some, one that did not took none;
        // the document's total holds every call's and the set-up's. Both engines agree (the document).
        Assert.All(model.Calls, c => Assert.Equal(c.VmstatDelta.GetValueOrDefault("pgmigrate_success") + c.VmstatDelta.GetValueOrDefault("pgmigrate_fail") > 0, c.SimulatedNs > 0));
        Assert.True(model.SimulatedNs >= model.Calls.Sum(c => c.SimulatedNs), $"{model.SimulatedNs} in all, less than the calls' {model.Calls.Sum(c => c.SimulatedNs)}");
        AssertSameDocument(name, model, grains);
    }

    /// <summary>The two engines' documents are equal but for <c>engine</c>; else the first line that differs.</summary>
    internal static void AssertSameDocument(string name, ScenarioResult model, ScenarioResult grains, string? context = null)
    {
        string[] expected = WithoutEngine(model);
        string[] actual = WithoutEngine(grains);
        int first = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(
            first < 0 && expected.Length == actual.Length,
            (first < 0
                ? $"{name}: the model's document has {expected.Length} lines, the grains' {actual.Length}"
                : $"{name}: line {first + 1} differs\n  model:  {expected[first]}\n  grains: {actual[first]}") + (context is null ? "" : $"\n{context}"));
    }

    /// <summary>The document as --json writes it, without the one field that names the engine.</summary>
    internal static string[] WithoutEngine(ScenarioResult result)
    {
        JsonObject document = JsonSerializer.SerializeToNode(result, ScenarioResultJson.Options)!.AsObject();
        Assert.True(document.Remove("engine"), "the result has no engine field");
        return document.ToJsonString(ScenarioResultJson.Options).Split('\n');
    }

    private static async Task<ScenarioDefinition> Parse(string name)
    {
        if (name != TourName)
        {
            return ScenarioParser.ParseFile(Path.Combine(RepositoryPaths.Root, name));
        }

        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "docs", "scenarios.md"));
        int start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        int end = doc.IndexOf("```", start, StringComparison.Ordinal);
        return ScenarioParser.Parse(doc[start..end], "tour.yaml", json: false);
    }
}
