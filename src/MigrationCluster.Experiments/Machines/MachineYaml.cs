using MigrationCluster.Hosting;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace MigrationCluster.Experiments.Machines;

/// <summary>
/// A machine file's YAML as a small tree, read event by event without recursion: a file nested
/// thousands deep cannot overflow the stack (nesting past <see cref="MaxDepth"/> is refused), and
/// anchors and aliases are refused (a machine file has no use for them, and an alias is how a small
/// file refers to itself or expands to gigabytes). A key given twice is refused where it stands.
/// </summary>
internal static class MachineYaml
{
    /// <summary>A machine file needs 3 levels (a table's rows); far more is a crafted file.</summary>
    public const int MaxDepth = 16;

    public abstract record Node(int Line);

    public sealed record Scalar(int Line, string Text, bool Quoted) : Node(Line);

    public sealed record Sequence(int Line, List<Node> Items) : Node(Line);

    public sealed record Mapping(int Line, List<(string Key, int KeyLine, Node Value)> Entries) : Node(Line)
    {
        /// <summary>The keys so far, so a key given twice is found in constant time in a mapping of any size.</summary>
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        public Node? Get(string key) => Keys.Contains(key) ? Entries.First(e => e.Key == key).Value : null;
    }

    /// <summary>The document's root, or null for an empty file; every problem is a <c>FILE:LINE: problem</c> line.</summary>
    public static Node? Read(string source, string text)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<(Node Node, string? PendingKey, int KeyLine)>();
        Node? root = null;
        int documents = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                int line = (int)current.Start.Line;
                switch (current)
                {
                    case DocumentStart when ++documents > 1:
                        throw MachineFile.Problem(source, line, "expected one YAML document, found several");
                    case AnchorAlias alias:
                        throw MachineFile.Problem(source, line, $"YAML aliases (*{alias.Value}) are not allowed in a machine file: write the value out");
                    case NodeEvent { Anchor.IsEmpty: false } anchored:
                        throw MachineFile.Problem(source, line, $"YAML anchors (&{anchored.Anchor}) are not allowed in a machine file: write the value out");
                    case YamlDotNet.Core.Events.Scalar scalar:
                        Add(new Scalar(line, scalar.Value ?? string.Empty, scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)), line);
                        break;
                    case SequenceStart or MappingStart:
                        if (open.Count >= MaxDepth)
                        {
                            throw MachineFile.Problem(source, line, $"nested more than {MaxDepth} levels deep");
                        }
                        open.Push((current is MappingStart ? new Mapping(line, []) : new Sequence(line, []), null, 0));
                        break;
                    case SequenceEnd or MappingEnd:
                        var done = open.Pop().Node;
                        Add(done, done.Line);
                        break;
                }
            }
        }
        catch (YamlException exception)
        {
            throw MachineFile.Problem(source, (int)exception.Start.Line, $"not valid YAML: {Problem(exception)}");
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner gives up without a position on some unclosed flow collections.
            throw MachineFile.Problem(source, parser.Current is { } last ? (int)last.End.Line : 0, "not valid YAML: the document cannot be parsed past this line (an unclosed '[', '{' or quote?)");
        }
        return root;

        void Add(Node node, int line)
        {
            if (open.Count == 0)
            {
                root = node;
                return;
            }
            var (parent, key, keyLine) = open.Pop();
            if (parent is Sequence sequence)
            {
                sequence.Items.Add(node);
                open.Push((parent, null, 0));
            }
            else if (key is null)
            {
                if (node is not Scalar { Text: var name })
                {
                    throw MachineFile.Problem(source, line, "a key must be a plain name, not a list or a mapping");
                }
                if (!((Mapping)parent).Keys.Add(name))
                {
                    throw MachineFile.Problem(source, line, $"field '{name}' is given twice");
                }
                open.Push((parent, name, line));
            }
            else
            {
                ((Mapping)parent).Entries.Add((key, keyLine, node));
                open.Push((parent, null, 0));
            }
        }
    }

    /// <summary>YamlDotNet's message without its "(Line: …) - (Line: …): " prefix (the line is reported on its own).</summary>
    private static string Problem(YamlException exception)
    {
        var message = exception.InnerException is YamlException inner ? inner.Message : exception.Message;
        int colon = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && colon > 0 ? message[(colon + 3)..] : message;
    }
}
