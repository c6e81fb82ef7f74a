using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

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

    private static ScenarioValue ReadYaml(string file, string text)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
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

        if (stream.Documents.Count != 1)
        {
            throw new ScenarioFormatException(file, 0, stream.Documents.Count == 0 ? "the file is empty" : "expected one YAML document, found several");
        }

        return Convert(stream.Documents[0].RootNode);
    }

    private static ScenarioValue Convert(YamlNode node)
    {
        int line = (int)node.Start.Line;
        switch (node)
        {
            case YamlScalarNode scalar:
                var text = scalar.Value ?? string.Empty;
                bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                return plain && text is "" or "~" or "null" or "Null" or "NULL" ? ScenarioValue.Null(line) : ScenarioValue.Scalar(line, text);
            case YamlSequenceNode sequence:
                return ScenarioValue.Sequence(line, [.. sequence.Children.Select(Convert)]);
            case YamlMappingNode mapping:
                var entries = new List<KeyValuePair<string, ScenarioValue>>();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode k ? k.Value ?? string.Empty : key.ToString();
                    entries.Add(new(name, Convert(value)));
                }

                return ScenarioValue.Mapping(line, entries);
            default:
                return ScenarioValue.Null(line);
        }
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

            var root = ReadJsonValue(ref reader, LineOf);
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

    private static ScenarioValue ReadJsonValue(ref Utf8JsonReader reader, Func<long, int> lineOf)
    {
        int line = lineOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<string, ScenarioValue>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    entries.Add(new(name, ReadJsonValue(ref reader, lineOf)));
                }

                return ScenarioValue.Mapping(line, entries);
            case JsonTokenType.StartArray:
                var items = new List<ScenarioValue>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadJsonValue(ref reader, lineOf));
                }

                return ScenarioValue.Sequence(line, items);
            case JsonTokenType.Null:
                return ScenarioValue.Null(line);
            case JsonTokenType.String:
                return ScenarioValue.Scalar(line, reader.GetString()!);
            case JsonTokenType.True:
                return ScenarioValue.Scalar(line, "true");
            case JsonTokenType.False:
                return ScenarioValue.Scalar(line, "false");
            default:
                return ScenarioValue.Scalar(line, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }
}
