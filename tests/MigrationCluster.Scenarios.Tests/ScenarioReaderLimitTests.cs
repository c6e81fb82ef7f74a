namespace MigrationCluster.Scenarios.Tests;

/// <summary>Crafted scenario files end in one line naming file and line, never a stack overflow or gigabytes.</summary>
public sealed class ScenarioReaderLimitTests
{
    private const string Valid = "nodes: 2\nprocesses:\n  - name: a\n    regions:\n      - {name: r, kind: anon_private, pages: 1}\ncalls:\n  - {call: read, pid: a, pages: 'r:0'}\n";

    private static string Refusal(string text, string file = "s.yaml") =>
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, file, file.EndsWith(".json", StringComparison.Ordinal))).Message;

    [Fact]
    public void The_valid_base_is_accepted() => Assert.Single(ScenarioParser.Parse(Valid, "s.yaml", json: false).Calls);

    [Fact]
    public void A_self_referencing_alias_is_refused()
    {
        Assert.Equal("s.yaml:2: YAML anchors (&loop) are not allowed in a scenario: write the value out",
            Refusal("nodes: 2\nprocesses: &loop\n  - name: a\n    regions: *loop\ncalls: []\n"));
    }

    [Fact]
    public void A_billion_laughs_under_unknown_keys_is_refused_before_any_expansion()
    {
        var lines = new List<string> { "a: &a [x, x, x, x, x, x, x, x, x, x]" };
        for (char c = 'b'; c <= 'k'; c++)
        {
            var previous = (char)(c - 1);
            lines.Add($"{c}: &{c} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 10))}]");
        }
        lines.Add("nodes: 2");

        Assert.StartsWith("s.yaml:1: YAML anchors (&a)", Refusal(string.Join('\n', lines)), StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_thousands_deep_is_refused_without_recursion()
    {
        Assert.Equal($"s.yaml:1: nested more than {ScenarioDocumentReader.MaxDepth} levels deep", Refusal("a: " + new string('[', 20_000) + new string(']', 20_000)));
        Assert.StartsWith("s.json:1: JSON syntax error", Refusal("{\"a\": " + new string('[', 20_000) + new string(']', 20_000) + "}", "s.json"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_is_refused()
    {
        Assert.Equal("s.json:1: a string holds an escape that is no character (a lone surrogate such as \\ud800)",
            Refusal("{\"nodes\": 2, \"name\": \"\\ud800\", \"processes\": [{\"name\": \"a\"}], \"calls\": []}", "s.json"));
        // YAML's scanner refuses the escape itself.
        Assert.StartsWith("s.yaml:2: YAML syntax error", Refusal("nodes: 2\nname: \"\\ud800\"\nprocesses:\n  - name: a\ncalls: []\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nodes: \"2\"\nprocesses:\n  - name: a\ncalls: []\n", "s.yaml:1: nodes: expected an integer, got the string '2'")]
    [InlineData("{\"nodes\": \"2\", \"processes\": [{\"name\": \"a\"}], \"calls\": []}", "s.json:1: nodes: expected an integer, got the string '2'")]
    [InlineData("nodes: 2\nprocesses:\n  - name: a\n    privileged: 'true'\ncalls: []\n", "s.yaml:4: privileged: expected true or false, got the string 'true'")]
    public void A_quoted_number_or_boolean_is_a_type_mismatch(string text, string message)
    {
        Assert.StartsWith(message, Refusal(text, message.StartsWith("s.json", StringComparison.Ordinal) ? "s.json" : "s.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_cut_before_its_calls_is_refused()
    {
        Assert.Equal("s.yaml:1: the scenario needs 'calls'", Refusal(Valid[..Valid.IndexOf("calls:", StringComparison.Ordinal)]));
    }
}
