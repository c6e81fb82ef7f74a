using System.Globalization;

namespace MigrationCluster.Scenarios;

/// <summary>What a <see cref="ScenarioValue"/> holds.</summary>
public enum ScenarioValueKind
{
    Null,
    Scalar,
    Sequence,
    Mapping,
}

/// <summary>
/// One node of a scenario document, from YAML or JSON alike, with the line it starts on, so that
/// every problem the parser finds can name its line.
/// </summary>
public sealed class ScenarioValue
{
    private ScenarioValue(ScenarioValueKind kind, int line, string? text, IReadOnlyList<ScenarioValue>? items, IReadOnlyList<KeyValuePair<string, ScenarioValue>>? entries)
    {
        Kind = kind;
        Line = line;
        Text = text;
        Items = items ?? [];
        Entries = entries ?? [];
    }

    public ScenarioValueKind Kind { get; }

    /// <summary>1-based line where the value starts.</summary>
    public int Line { get; }

    /// <summary>The scalar's text (null unless <see cref="ScenarioValueKind.Scalar"/>).</summary>
    public string? Text { get; }

    public IReadOnlyList<ScenarioValue> Items { get; }

    /// <summary>A mapping's keys and values in document order; each key's line is its value's line.</summary>
    public IReadOnlyList<KeyValuePair<string, ScenarioValue>> Entries { get; }

    public static ScenarioValue Null(int line) => new(ScenarioValueKind.Null, line, null, null, null);

    public static ScenarioValue Scalar(int line, string text) => new(ScenarioValueKind.Scalar, line, text, null, null);

    public static ScenarioValue Sequence(int line, IReadOnlyList<ScenarioValue> items) => new(ScenarioValueKind.Sequence, line, null, items, null);

    public static ScenarioValue Mapping(int line, IReadOnlyList<KeyValuePair<string, ScenarioValue>> entries) => new(ScenarioValueKind.Mapping, line, null, null, entries);

    /// <summary>A short description for messages: the scalar itself, or "a list" / "a mapping".</summary>
    public string Describe() => Kind switch
    {
        ScenarioValueKind.Null => "null",
        ScenarioValueKind.Scalar => $"'{(Text!.Length > 40 ? Text[..39] + "…" : Text)}'",
        ScenarioValueKind.Sequence => "a list",
        _ => "a mapping",
    };

    public bool TryGetLong(out long value)
    {
        value = 0;
        return Kind == ScenarioValueKind.Scalar && long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
