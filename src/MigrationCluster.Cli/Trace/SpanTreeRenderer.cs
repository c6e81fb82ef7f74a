using System.Diagnostics;
using System.Globalization;
using System.Text;
using MigrationCluster.Hosting.Telemetry;
using Spectre.Console;

namespace MigrationCluster.Cli.Trace;

/// <summary>
/// Draws spans as one Spectre.Console <see cref="Tree"/> per trace, the trace's header at the top:
/// <code>
/// trace 4bf92f3577b34da6a3ce929d0e0e4736 (3 spans, service migration-cluster)
/// └── migrate_pages 12.3 ms  mode=sync
///     ├── unmap_and_move 4.1 ms  pfn=17
///     │   └── lock_page 200 µs  step=1 pfn=17
///     └── unmap_and_move 6.0 ms  pfn=18  [error: EAGAIN]
/// </code>
/// Traces and siblings are ordered by start time. A span whose parent is not among the spans hangs
/// from the header, marked <c>[parent … missing]</c>. The tree is built without recursion, and
/// below <see cref="SpanTreeRendererOptions.MaxDepth"/> levels a subtree is replaced by one line
/// that counts its spans, so no nesting, however deep, can exhaust the stack.
/// </summary>
public sealed class SpanTreeRenderer
{
    private readonly SpanTreeRendererOptions options;

    public SpanTreeRenderer(SpanTreeRendererOptions? options = null)
    {
        this.options = options ?? new SpanTreeRendererOptions();
        this.options.Validate();
    }

    /// <summary>
    /// Writes one tree per trace (a blank line between traces), only the trace
    /// <paramref name="traceId"/> when given; returns the number of traces written.
    /// </summary>
    public int Render(IEnumerable<SpanRecord> spans, IAnsiConsole console, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(console);
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
                console.WriteLine();
            }

            console.Write(BuildTree(traces[i]));
        }

        return traces.Count;
    }

    /// <summary>The tree of spans that share one trace id, under a header line.</summary>
    public Tree BuildTree(IReadOnlyList<SpanRecord> traceSpans)
    {
        ArgumentNullException.ThrowIfNull(traceSpans);
        var service = traceSpans.Select(span => span.ServiceName).FirstOrDefault(name => name is not null);
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"trace {(traceSpans.Count > 0 ? traceSpans[0].TraceId : "-")} ({traceSpans.Count} span{(traceSpans.Count == 1 ? string.Empty : "s")}{(service is null ? string.Empty : ", service " + service)})");
        var tree = new Tree(new Text(header)) { Guide = TreeGuide.Line };

        var present = new HashSet<string>(traceSpans.Select(span => span.SpanId), StringComparer.Ordinal);
        var children = traceSpans
            .Where(span => !span.IsRoot && present.Contains(span.ParentSpanId))
            .GroupBy(span => span.ParentSpanId, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => Ordered(group), StringComparer.Ordinal);
        var drawn = new HashSet<SpanRecord>(ReferenceEqualityComparer.Instance);
        foreach (var root in Ordered(traceSpans.Where(span => span.IsRoot || !present.Contains(span.ParentSpanId))))
        {
            AddSubtree(tree, root, children, drawn, cycle: false);
        }

        // Spans only reachable through a parent cycle (a damaged file) are still shown.
        foreach (var span in Ordered(traceSpans.Where(span => !drawn.Contains(span))))
        {
            if (!drawn.Contains(span))
            {
                AddSubtree(tree, span, children, drawn, cycle: true);
            }
        }

        return tree;
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

    /// <summary>Adds <paramref name="top"/> and what hangs below it, depth first, with a stack of its own.</summary>
    private void AddSubtree(IHasTreeNodes parent, SpanRecord top, Dictionary<string, List<SpanRecord>> children, HashSet<SpanRecord> drawn, bool cycle)
    {
        var stack = new Stack<(IHasTreeNodes Parent, SpanRecord Span, int Depth)>();
        stack.Push((parent, top, 1));
        while (stack.TryPop(out var item))
        {
            if (!drawn.Add(item.Span))
            {
                continue;
            }

            var node = item.Parent.AddNode(Label(item.Span, topLevel: item.Depth == 1, cycle: cycle && item.Depth == 1));
            if (!children.TryGetValue(item.Span.SpanId, out var kids))
            {
                continue;
            }

            var pending = kids.Where(kid => !drawn.Contains(kid)).ToList();
            if (pending.Count == 0)
            {
                continue;
            }

            if (item.Depth >= options.MaxDepth)
            {
                var cut = MarkDrawn(pending, children, drawn);
                node.AddNode(new Text(string.Create(
                    CultureInfo.InvariantCulture,
                    $"… {cut:N0} more span{(cut == 1 ? string.Empty : "s")} nested deeper than {options.MaxDepth} levels, not drawn (--max-depth)")));
                continue;
            }

            // Pushed last to first, so the first child is drawn first.
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                stack.Push((node, pending[i], item.Depth + 1));
            }
        }
    }

    /// <summary>Counts the spans of the subtrees below the cut, marking them so they are not drawn elsewhere.</summary>
    private static int MarkDrawn(List<SpanRecord> tops, Dictionary<string, List<SpanRecord>> children, HashSet<SpanRecord> drawn)
    {
        var count = 0;
        var stack = new Stack<SpanRecord>(tops);
        while (stack.TryPop(out var span))
        {
            if (!drawn.Add(span))
            {
                continue;
            }

            count++;
            if (children.TryGetValue(span.SpanId, out var kids))
            {
                foreach (var kid in kids)
                {
                    stack.Push(kid);
                }
            }
        }

        return count;
    }

    private Text Label(SpanRecord span, bool topLevel, bool cycle)
    {
        var line = new StringBuilder();
        line.Append(span.Name).Append(' ').Append(FormatDuration(span.Duration));
        if (span.Kind is ActivityKind.Client or ActivityKind.Server or ActivityKind.Producer or ActivityKind.Consumer)
        {
            line.Append(" (").Append(span.Kind.ToString().ToLowerInvariant()).Append(')');
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

        // Only spans whose parent is absent hang from the header without being roots.
        if (topLevel && !span.IsRoot && !cycle)
        {
            line.Append("  [parent ").Append(span.ParentSpanId).Append(" missing]");
        }

        if (cycle)
        {
            line.Append("  [parent cycle]");
        }

        // Text, not markup: span names and tags may hold '[' and ']'.
        return new Text(line.ToString(), span.Status == ActivityStatusCode.Error ? new Style(Color.Red) : Style.Plain);
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
