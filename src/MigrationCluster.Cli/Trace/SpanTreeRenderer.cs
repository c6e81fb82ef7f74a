using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Draws spans as one indented tree per trace:
/// <code>
/// trace 4bf92f3577b34da6a3ce929d0e0e4736 (3 spans, service migration-cluster)
/// migrate_pages 12.3 ms  mode=sync
/// ├─ unmap_and_move 4.1 ms  pfn=17
/// │  └─ lock_page 0.2 ms  step=1 pfn=17
/// └─ unmap_and_move 6.0 ms  pfn=18  [error: EAGAIN]
/// </code>
/// Traces and siblings are ordered by start time. A span whose parent is not among the spans is
/// drawn as a root and marked <c>[parent … missing]</c>.
/// </summary>
public sealed class SpanTreeRenderer
{
    public const string Branch = "├─ ";
    public const string LastBranch = "└─ ";
    public const string Pipe = "│  ";
    public const string Blank = "   ";

    private readonly SpanTreeRendererOptions options;

    public SpanTreeRenderer(SpanTreeRendererOptions? options = null)
    {
        this.options = options ?? new SpanTreeRendererOptions();
        this.options.Validate();
    }

    /// <summary>
    /// Reads the JSON-lines file at <paramref name="path"/> and writes its trees; only the trace
    /// <paramref name="traceId"/> when given. Returns the number of traces written.
    /// </summary>
    public int RenderFile(string path, TextWriter output, string? traceId = null) =>
        Render(JsonLinesTraceReader.ReadFile(path), output, traceId);

    /// <summary>The trees as text.</summary>
    public string Render(IEnumerable<SpanRecord> spans, string? traceId = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Render(spans, writer, traceId);
        return writer.ToString();
    }

    /// <summary>Writes one tree per trace (blank line between traces); returns the number of traces written.</summary>
    public int Render(IEnumerable<SpanRecord> spans, TextWriter output, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(output);
        var filter = traceId?.Trim().ToLowerInvariant();
        var traces = spans
            .Where(span => filter is null || span.TraceId == filter)
            .GroupBy(span => span.TraceId, StringComparer.Ordinal)
            .Select(group => group.ToList())
            .OrderBy(group => group.Min(span => span.StartTimeUnixNano))
            .ThenBy(group => group[0].TraceId, StringComparer.Ordinal)
            .ToList();

        for (var i = 0; i < traces.Count; i++)
        {
            if (i > 0)
            {
                output.WriteLine();
            }

            RenderTrace(traces[i], output);
        }

        return traces.Count;
    }

    /// <summary>Writes the tree of spans that share one trace id, header first.</summary>
    public void RenderTrace(IReadOnlyList<SpanRecord> traceSpans, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(traceSpans);
        ArgumentNullException.ThrowIfNull(output);
        if (traceSpans.Count == 0)
        {
            return;
        }

        var service = traceSpans.Select(span => span.ServiceName).FirstOrDefault(name => name is not null);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"trace {traceSpans[0].TraceId} ({traceSpans.Count} span{(traceSpans.Count == 1 ? string.Empty : "s")}{(service is null ? string.Empty : ", service " + service)})"));

        var present = new HashSet<string>(traceSpans.Select(span => span.SpanId), StringComparer.Ordinal);
        var children = traceSpans
            .Where(span => !span.IsRoot && present.Contains(span.ParentSpanId))
            .GroupBy(span => span.ParentSpanId, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => Ordered(group), StringComparer.Ordinal);
        var roots = Ordered(traceSpans.Where(span => span.IsRoot || !present.Contains(span.ParentSpanId)));

        var drawn = new HashSet<SpanRecord>(ReferenceEqualityComparer.Instance);
        var line = new StringBuilder();
        foreach (var root in roots)
        {
            DrawSubtree(root, prefix: string.Empty, branch: string.Empty, children, drawn, output, line);
        }

        // Spans only reachable through a parent cycle (a damaged file) are still shown.
        foreach (var span in Ordered(traceSpans.Where(span => !drawn.Contains(span))))
        {
            if (!drawn.Contains(span))
            {
                DrawSubtree(span, prefix: string.Empty, branch: string.Empty, children, drawn, output, line, cycle: true);
            }
        }
    }

    /// <summary>"12.3 ms", "1.25 s", "850 µs".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        var ms = duration.TotalMilliseconds;
        return ms switch
        {
            >= 1000 => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s",
            >= 1 => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
            _ => (ms * 1000).ToString("0", CultureInfo.InvariantCulture) + " µs",
        };
    }

    private void DrawSubtree(
        SpanRecord span,
        string prefix,
        string branch,
        Dictionary<string, List<SpanRecord>> children,
        HashSet<SpanRecord> drawn,
        TextWriter output,
        StringBuilder line,
        bool cycle = false)
    {
        // Recursion depth is the nesting depth of the spans, which the protocol keeps small.
        drawn.Add(span);
        line.Clear().Append(prefix).Append(branch);
        AppendSpan(line, span, topLevel: branch.Length == 0, cycle);
        output.WriteLine(line.ToString());

        if (!children.TryGetValue(span.SpanId, out var kids))
        {
            return;
        }

        var childPrefix = prefix + (branch.Length == 0 ? string.Empty : branch == LastBranch ? Blank : Pipe);
        var pending = kids.Where(kid => !drawn.Contains(kid)).ToList();
        for (var i = 0; i < pending.Count; i++)
        {
            if (!drawn.Contains(pending[i]))
            {
                DrawSubtree(pending[i], childPrefix, i == pending.Count - 1 ? LastBranch : Branch, children, drawn, output, line);
            }
        }
    }

    private void AppendSpan(StringBuilder line, SpanRecord span, bool topLevel, bool cycle)
    {
        line.Append(span.Name).Append(' ').Append(FormatDuration(span.Duration));
        if (span.Kind is ActivityKind.Client or ActivityKind.Server or ActivityKind.Producer or ActivityKind.Consumer)
        {
            line.Append(" (").Append(SpanJsonFields.KindText(span.Kind)).Append(')');
        }

        var tags = FormatTags(span);
        if (tags.Length > 0)
        {
            line.Append("  ").Append(tags);
        }

        if (options.ShowEvents && span.Events.Count > 0)
        {
            line.Append("  {");
            var first = true;
            foreach (var group in span.Events.GroupBy(e => e.Name, StringComparer.Ordinal))
            {
                line.Append(first ? string.Empty : ", ").Append(group.Key);
                var count = group.Count();
                if (count > 1)
                {
                    line.Append('×').Append(count.ToString(CultureInfo.InvariantCulture));
                }

                first = false;
            }

            line.Append('}');
        }

        if (span.Status == ActivityStatusCode.Error)
        {
            line.Append("  [error");
            if (!string.IsNullOrEmpty(span.StatusDescription))
            {
                line.Append(": ").Append(span.StatusDescription);
            }

            line.Append(']');
        }

        // Only spans whose parent is absent are drawn at the top level without being roots.
        if (topLevel && !span.IsRoot && !cycle)
        {
            line.Append("  [parent ").Append(span.ParentSpanId).Append(" missing]");
        }

        if (cycle)
        {
            line.Append("  [parent cycle]");
        }
    }

    private string FormatTags(SpanRecord span)
    {
        var text = new StringBuilder();
        if (options.ShowAllAttributes)
        {
            foreach (var (key, value) in span.Attributes)
            {
                AppendTag(text, key, value);
            }
        }
        else
        {
            foreach (var key in options.KeyAttributes)
            {
                foreach (var (name, value) in span.Attributes)
                {
                    if (name == key)
                    {
                        AppendTag(text, ShortName(key), value);
                        break;
                    }
                }
            }
        }

        return text.ToString();
    }

    private void AppendTag(StringBuilder text, string name, object? value)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }

        var rendered = FormatValue(value);
        if (rendered.Length > options.MaxValueLength)
        {
            rendered = string.Concat(rendered.AsSpan(0, options.MaxValueLength - 1), "…");
        }

        text.Append(name).Append('=').Append(rendered);
    }

    private static string ShortName(string key)
    {
        var dot = key.LastIndexOf('.');
        return dot < 0 || dot == key.Length - 1 ? key : key[(dot + 1)..];
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => s.Contains(' ', StringComparison.Ordinal) ? "\"" + s + "\"" : s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        object?[] array => "[" + string.Join(",", array.Select(FormatValue)) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    private static List<SpanRecord> Ordered(IEnumerable<SpanRecord> spans) =>
        [.. spans.OrderBy(span => span.StartTimeUnixNano).ThenBy(span => span.SpanId, StringComparer.Ordinal)];
}
