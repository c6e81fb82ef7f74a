using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MigrationCluster.Scenarios;

/// <summary>
/// Reads a scenario file into a <see cref="ScenarioValue"/> tree: JSON when the file name ends in
/// <c>.json</c>, YAML otherwise. Syntax errors become a <see cref="ScenarioFormatException"/>
/// naming the file and line.
/// </summary>
public static class ScenarioDocumentReader
{
    public static ScenarioValue Read(string displayName, string text, bool json) =>
        json ? ReadJson(displayName, text) : ReadYaml(displayName, text);

    /// <summary>Nesting deeper than this is refused (a scenario needs about 6 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Reads YAML event by event into a tree, without recursion (a file nested thousands deep
    /// cannot overflow the stack). Anchors and aliases are refused: the format has no use for
    /// them, and an alias is how a small file expands to gigabytes or refers to itself.
    /// </summary>
    private static ScenarioValue ReadYaml(string file, string text)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<YamlFrame>();
        ScenarioValue? root = null;
        int documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                int line = (int)current.Start.Line;
                switch (current)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            throw new ScenarioFormatException(file, line, "expected one YAML document, found several");
                        }
                        break;
                    case AnchorAlias alias:
                        throw new ScenarioFormatException(file, line, $"YAML aliases (*{alias.Value}) are not allowed in a scenario: write the value out");
                    case NodeEvent { Anchor.IsEmpty: false } anchored:
                        throw new ScenarioFormatException(file, line, $"YAML anchors (&{anchored.Anchor}) are not allowed in a scenario: write the value out");
                    case YamlDotNet.Core.Events.Scalar scalar:
                        var value = scalar.Value ?? string.Empty;
                        if (HasLoneSurrogate(value))
                        {
                            throw new ScenarioFormatException(file, line, "a string holds an escape that is no character (a lone surrogate such as \\ud800)");
                        }
                        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                        Add(plain && value is "" or "~" or "null" or "Null" or "NULL"
                            ? ScenarioValue.Null(line)
                            : ScenarioValue.Scalar(line, value, quoted: !plain));
                        break;
                    case SequenceStart:
                    case MappingStart:
                        if (open.Count >= MaxDepth)
                        {
                            throw new ScenarioFormatException(file, line, $"nested more than {MaxDepth} levels deep");
                        }
                        open.Push(new YamlFrame(line, current is MappingStart));
                        break;
                    case SequenceEnd:
                    case MappingEnd:
                        var done = open.Pop();
                        Add(done.IsMapping ? ScenarioValue.Mapping(done.Line, done.Entries) : ScenarioValue.Sequence(done.Line, done.Items));
                        break;
                }
            }
        }
        catch (YamlException exception)
        {
            // The message starts with "(Line: …) - (Line: …): "; the line is reported on its own.
            var message = exception.InnerException is YamlException inner ? inner.Message : exception.Message;
            int colon = message.IndexOf("): ", StringComparison.Ordinal);
            var problem = message.StartsWith("(Line", StringComparison.Ordinal) && colon > 0 ? message[(colon + 3)..] : message;
            throw new ScenarioFormatException(file, (int)exception.Start.Line, $"YAML syntax error: {problem}", exception);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner gives up without a position on some unclosed flow collections
            // and quotes; the last event it parsed is the nearest line we have.
            int line = parser.Current is { } last ? (int)last.End.Line : 0;
            throw new ScenarioFormatException(file, line, "YAML syntax error: the document cannot be parsed past this line (an unclosed '[', '{' or quote?)", exception);
        }

        return root ?? throw new ScenarioFormatException(file, 0, "the file is empty");

        void Add(ScenarioValue value)
        {
            if (open.Count == 0)
            {
                root = value;
                return;
            }
            var parent = open.Peek();
            if (!parent.IsMapping)
            {
                parent.Items.Add(value);
            }
            else if (parent.PendingKey is null)
            {
                // A key that is itself a list or a mapping has no name a scenario could use.
                parent.PendingKey = value.Kind == ScenarioValueKind.Scalar ? value.Text! : value.Kind == ScenarioValueKind.Null ? string.Empty : $"({value.Describe()})";
            }
            else
            {
                parent.Entries.Add(new(parent.PendingKey, value));
                parent.PendingKey = null;
            }
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A list or mapping being read: its items, or its entries and a key waiting for its value.</summary>
    private sealed class YamlFrame(int line, bool isMapping)
    {
        public int Line { get; } = line;

        public bool IsMapping { get; } = isMapping;

        public List<ScenarioValue> Items { get; } = [];

        public List<KeyValuePair<string, ScenarioValue>> Entries { get; } = [];

        public string? PendingKey { get; set; }
    }

    private static ScenarioValue ReadJson(string file, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<long> { 0 };
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        int LineOf(long offset)
        {
            int index = lineStarts.BinarySearch(offset);
            return (index >= 0 ? index : ~index - 1) + 1;
        }

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                throw new ScenarioFormatException(file, 0, "the file is empty");
            }

            var root = ReadJsonValue(file, ref reader, LineOf);
            if (reader.Read())
            {
                throw new ScenarioFormatException(file, LineOf(reader.TokenStartIndex), "unexpected content after the JSON document");
            }

            return root;
        }
        catch (JsonException exception)
        {
            int line = exception.LineNumber is { } l ? (int)l + 1 : 0;
            var message = exception.Message;
            int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw new ScenarioFormatException(file, line, $"JSON syntax error: {(cut > 0 ? message[..cut] : message)}", exception);
        }
    }

    /// <summary>A JSON string; an escape that makes no character (a lone surrogate such as \ud800) is refused.</summary>
    private static string JsonString(string file, ref Utf8JsonReader reader, Func<long, int> lineOf)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException exception)
        {
            throw new ScenarioFormatException(file, lineOf(reader.TokenStartIndex), "a string holds an escape that is no character (a lone surrogate such as \\ud800)", exception);
        }
    }

    private static ScenarioValue ReadJsonValue(string file, ref Utf8JsonReader reader, Func<long, int> lineOf)
    {
        int line = lineOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<string, ScenarioValue>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = JsonString(file, ref reader, lineOf);
                    reader.Read();
                    entries.Add(new(name, ReadJsonValue(file, ref reader, lineOf)));
                }

                return ScenarioValue.Mapping(line, entries);
            case JsonTokenType.StartArray:
                var items = new List<ScenarioValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadJsonValue(file, ref reader, lineOf));
                }

                return ScenarioValue.Sequence(line, items);
            case JsonTokenType.Null:
                return ScenarioValue.Null(line);
            case JsonTokenType.String:
                return ScenarioValue.Scalar(line, JsonString(file, ref reader, lineOf), quoted: true);
            case JsonTokenType.True:
                return ScenarioValue.Scalar(line, "true");
            case JsonTokenType.False:
                return ScenarioValue.Scalar(line, "false");
            default:
                return ScenarioValue.Scalar(line, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }
}
