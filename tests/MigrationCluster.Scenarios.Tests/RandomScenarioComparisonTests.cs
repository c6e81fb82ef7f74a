using MigrationCluster.Scenarios;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>
/// Random scenarios (<see cref="RandomScenario"/>) on the model and on the grains: the same
/// result document, or the same refusal of a setup the machine cannot carry out.
/// </summary>
[Collection(ScenarioSiloCollection.Name)]
public sealed class RandomScenarioComparisonTests(ScenarioSiloFixture silo)
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, SeedCount)];

    private const int SeedCount = 60;

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_random_scenario_gives_the_same_document_on_both_engines(int seed)
    {
        string name = $"random-{seed}.json";
        ScenarioDefinition scenario = ScenarioParser.Parse(RandomScenario.Json(seed), name, json: true);

        var (model, modelRefusal) = await Run(new ScenarioRunner(scenario, name, new ModelScenarioEngine()));
        var (grains, grainsRefusal) = await Run(new ScenarioRunner(scenario, name, new GrainScenarioEngine(silo.Grains)));

        Assert.Equal(modelRefusal, grainsRefusal);
        if (model is null || grains is null)
        {
            Assert.True(model is null && grains is null, "one engine refused the setup and the other ran it");
            return;
        }
        Assert.Equal(0, model.Invariants.Violations);
        ScenarioEngineComparisonTests.AssertSameDocument($"seed {seed}", model, grains, RandomScenario.Json(seed));
    }

    [Fact]
    public async Task Most_random_scenarios_get_past_their_setup_and_make_calls()
    {
        // The generator is only worth its seeds if most of them run calls, not just a refused setup.
        int ran = 0;
        for (int seed = 1; seed <= SeedCount; seed++)
        {
            var scenario = ScenarioParser.Parse(RandomScenario.Json(seed), "random.json", json: true);
            var (result, _) = await Run(new ScenarioRunner(scenario, "random.json", new ModelScenarioEngine()));
            ran += result is { Calls.Count: > 0 } ? 1 : 0;
        }
        Assert.True(ran >= 45, $"only {ran} of {SeedCount} random scenarios ran calls");
    }

    private static async Task<(ScenarioResult? Result, string? Refusal)> Run(ScenarioRunner runner)
    {
        try
        {
            return (await runner.RunAsync(), null);
        }
        catch (ScenarioFormatException refusal)
        {
            return (null, refusal.Message);
        }
    }
}
