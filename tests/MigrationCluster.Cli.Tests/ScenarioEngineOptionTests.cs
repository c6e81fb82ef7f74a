using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

/// <summary><c>scenario --engine grains|model</c>: the grains by default, the same document on both, a bad name exits 2.</summary>
public sealed class ScenarioEngineOptionTests
{
    private static readonly string ZeroPage = Path.Combine(RepositoryPaths.ExampleScenarios, "08-zero-page.yaml");

    [Fact]
    public async Task A_bad_engine_exits_2_with_one_line_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", ZeroPage, "--engine", "kernel", "--json", jsonPath);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("--engine", line, StringComparison.Ordinal);
        Assert.Contains("'kernel'", line, StringComparison.Ordinal);
        Assert.Contains("grains or model", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.False(File.Exists(jsonPath));
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task The_default_is_the_grains_and_the_model_gives_the_same_document()
    {
        using var temp = new TempDirectory();
        var byDefault = temp.File("default.json");
        var onModel = temp.File("model.json");

        var first = await CliProcess.RunAsync("scenario", ZeroPage, "--json", byDefault);
        var second = await CliProcess.RunAsync("scenario", ZeroPage, "--engine", "model", "--json", onModel);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("grains", first.Stdout, StringComparison.Ordinal);
        using var grains = JsonDocument.Parse(await File.ReadAllTextAsync(byDefault));
        using var model = JsonDocument.Parse(await File.ReadAllTextAsync(onModel));
        Assert.Equal("grains", grains.RootElement.GetProperty("engine").GetString());
        Assert.Equal("model", model.RootElement.GetProperty("engine").GetString());
        Assert.Equal(Without(model.RootElement, "engine"), Without(grains.RootElement, "engine"));
    }

    [Fact]
    public async Task Help_names_both_engines()
    {
        var result = await CliProcess.RunAsync("scenario", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--engine", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("grains|model", result.Stdout, StringComparison.Ordinal);
    }

    private static string Without(JsonElement root, string property) =>
        JsonSerializer.Serialize(root.EnumerateObject().Where(p => p.Name != property).ToDictionary(p => p.Name, p => p.Value));
}
