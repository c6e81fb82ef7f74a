using System.Text.Json;

namespace MigrationCluster.Scenarios;

/// <summary>How a <see cref="ScenarioResult"/> is written as JSON (<c>scenario --json</c>): snake_case names, indented.</summary>
public static class ScenarioResultJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
