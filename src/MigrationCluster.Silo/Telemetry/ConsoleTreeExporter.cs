using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;

namespace MigrationCluster.Silo.Telemetry;

/// <summary>
/// The project's console exporter. Ended spans wait in a buffer per trace; when a local root ends
/// (a span without a parent, or whose parent is in another process) its tree is written through
/// <see cref="SpanTreeRenderer"/>. Spans still buffered at shutdown are written then, as are all
/// buffered spans when more than <see cref="MaxBufferedSpans"/> pile up.
/// </summary>
public sealed class ConsoleTreeExporter : BaseExporter<Activity>
{
    /// <summary>Enough for many migrations in flight; bounds memory when roots never end here.</summary>
    public const int DefaultMaxBufferedSpans = 10_000;

    private readonly Lock gate = new();
    private readonly TextWriter output;
    private readonly SpanTreeRenderer renderer;
    private readonly Dictionary<ActivityTraceId, List<SpanRecord>> pending = [];
    private IReadOnlyList<KeyValuePair<string, object?>>? resource;
    private int bufferedSpans;

    public ConsoleTreeExporter(TextWriter output, SpanTreeRendererOptions? options = null, int maxBufferedSpans = DefaultMaxBufferedSpans)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedSpans, 1);
        this.output = output;
        renderer = new SpanTreeRenderer(options);
        MaxBufferedSpans = maxBufferedSpans;
    }

    public int MaxBufferedSpans { get; }

    /// <summary>Spans waiting for their root to end.</summary>
    public int BufferedSpans
    {
        get
        {
            lock (gate)
            {
                return bufferedSpans;
            }
        }
    }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (gate)
        {
            resource ??= ReadResource();
            foreach (var activity in batch)
            {
                var span = SpanRecord.FromActivity(activity, resource);
                if (!pending.TryGetValue(activity.TraceId, out var spans))
                {
                    spans = [];
                    pending.Add(activity.TraceId, spans);
                }

                spans.Add(span);
                bufferedSpans++;

                if (activity.ParentSpanId == default || activity.HasRemoteParent)
                {
                    WriteSubtree(activity.TraceId, spans, span);
                }
            }

            if (bufferedSpans > MaxBufferedSpans)
            {
                WriteAll();
            }

            return ExportResult.Success;
        }
    }

    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        lock (gate)
        {
            output.Flush();
            return true;
        }
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        lock (gate)
        {
            WriteAll();
            return true;
        }
    }

    /// <summary>Writes the local root and the buffered spans below it, and forgets them.</summary>
    private void WriteSubtree(ActivityTraceId traceId, List<SpanRecord> spans, SpanRecord root)
    {
        var byParent = spans.ToLookup(span => span.ParentSpanId, StringComparer.Ordinal);
        var tree = new List<SpanRecord>();
        var queue = new Queue<SpanRecord>();
        queue.Enqueue(root);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var span = queue.Dequeue();
            if (!seen.Add(span.SpanId))
            {
                continue;
            }

            tree.Add(span);
            foreach (var child in byParent[span.SpanId])
            {
                queue.Enqueue(child);
            }
        }

        var inTree = new HashSet<SpanRecord>(tree, ReferenceEqualityComparer.Instance);
        spans.RemoveAll(inTree.Contains);
        bufferedSpans -= tree.Count;
        if (spans.Count == 0)
        {
            pending.Remove(traceId);
        }

        renderer.RenderTrace(tree, output);
        output.Flush();
    }

    private void WriteAll()
    {
        foreach (var spans in pending.Values.OrderBy(spans => spans.Min(span => span.StartTimeUnixNano)))
        {
            renderer.RenderTrace(spans, output);
        }

        pending.Clear();
        bufferedSpans = 0;
        output.Flush();
    }

    private List<KeyValuePair<string, object?>> ReadResource() =>
        ParentProvider is null
            ? []
            : [.. ParentProvider.GetResource().Attributes.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value))];
}
