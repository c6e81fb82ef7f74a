using System.Text.Json;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// The spans the silos wrote (one JSON-lines file per host): which hosts served node-grain calls,
/// and which grain calls crossed from one host to another (a client span in one host's file whose
/// server side, its child, is in another's).
/// </summary>
internal sealed class SiloTraces
{
    private readonly List<(string Host, Span Span)> _spans = [];

    private sealed record Span(string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind);

    public static SiloTraces Read(IReadOnlyDictionary<string, string> filesByHost)
    {
        var traces = new SiloTraces();
        foreach (var (host, file) in filesByHost)
        {
            if (!File.Exists(file))
            {
                continue;
            }
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (TryParse(line) is { } span)
                {
                    traces._spans.Add((host, span));
                }
            }
        }
        return traces;
    }

    /// <summary>A line still being written is skipped.</summary>
    private static Span? TryParse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var parent = root.TryGetProperty("parentSpanId", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return new Span(root.GetProperty("traceId").GetString()!, root.GetProperty("spanId").GetString()!, string.IsNullOrEmpty(parent) ? null : parent,
                root.GetProperty("name").GetString()!, root.GetProperty("kind").ToString());
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public int Count => _spans.Count;

    /// <summary>Hosts with a server span of a call into a NUMA node grain: where node grains live.</summary>
    public IReadOnlySet<string> HostsServingNodeGrains =>
        _spans.Where(s => IsServer(s.Span) && s.Span.Name.Contains("INumaNodeGrain", StringComparison.Ordinal)).Select(s => s.Host).ToHashSet();

    /// <summary>(caller host, callee host) of every grain call whose two ends are on different hosts.</summary>
    public IReadOnlyList<(string From, string To)> CrossHostCalls
    {
        get
        {
            var clients = _spans.Where(s => IsClient(s.Span)).GroupBy(s => (s.Span.TraceId, s.Span.SpanId)).ToDictionary(g => g.Key, g => g.First().Host);
            return [.. _spans
                .Where(s => IsServer(s.Span) && s.Span.ParentSpanId is not null)
                .Select(s => (Callee: s.Host, Caller: clients.GetValueOrDefault((s.Span.TraceId, s.Span.ParentSpanId!))))
                .Where(c => c.Caller is not null && c.Caller != c.Callee)
                .Select(c => (c.Caller!, c.Callee))];
        }
    }

    public string Describe() =>
        $"{Count} spans; kinds {string.Join(", ", _spans.Select(s => s.Span.Kind).Distinct())}; names e.g. {string.Join(", ", _spans.Select(s => s.Span.Name).Distinct().Take(8))}";

    private static bool IsServer(Span span) => span.Kind.Contains("server", StringComparison.OrdinalIgnoreCase);

    private static bool IsClient(Span span) => span.Kind.Contains("client", StringComparison.OrdinalIgnoreCase);
}
