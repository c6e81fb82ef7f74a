using System.Diagnostics;
using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// The spans the silos wrote (one OTLP/JSON lines file per host): which hosts served node-grain calls,
/// and which grain calls crossed from one host to another (a client span in one host's file whose
/// server side, its child, is in another's).
/// </summary>
internal sealed class SiloTraces
{
    private readonly List<(string Host, SpanRecord Span)> _spans = [];

    public static SiloTraces Read(IReadOnlyDictionary<string, string> filesByHost)
    {
        var traces = new SiloTraces();
        foreach (var (host, file) in filesByHost)
        {
            if (!File.Exists(file))
            {
                continue;
            }
            // The silo may still be writing: a last line cut short is left out by the reader.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            traces._spans.AddRange(OtlpJsonTraceReader.Read(stream, file).Spans.Select(span => (host, span)));
        }
        return traces;
    }

    public int Count => _spans.Count;

    /// <summary>Hosts with a server span of a call into a NUMA node grain: where node grains live.</summary>
    public IReadOnlySet<string> HostsServingNodeGrains =>
        _spans.Where(s => IsServer(s.Span) && s.Span.Name.Contains("INumaNode", StringComparison.Ordinal)).Select(s => s.Host).ToHashSet();

    /// <summary>(caller host, callee host) of every grain call whose two ends are on different hosts.</summary>
    public IReadOnlyList<(string From, string To)> CrossHostCalls
    {
        get
        {
            var clients = _spans.Where(s => IsClient(s.Span)).GroupBy(s => (s.Span.TraceId, s.Span.SpanId)).ToDictionary(g => g.Key, g => g.First().Host);
            return [.. _spans
                .Where(s => IsServer(s.Span) && !s.Span.IsRoot)
                .Select(s => (Callee: s.Host, Caller: clients.GetValueOrDefault((s.Span.TraceId, s.Span.ParentSpanId))))
                .Where(c => c.Caller is not null && c.Caller != c.Callee)
                .Select(c => (c.Caller!, c.Callee))];
        }
    }

    public string Describe() =>
        $"{Count} spans; kinds {string.Join(", ", _spans.Select(s => s.Span.Kind).Distinct())}; names e.g. {string.Join(", ", _spans.Select(s => s.Span.Name).Distinct().Take(8))}";

    private static bool IsServer(SpanRecord span) => span.Kind == ActivityKind.Server;

    private static bool IsClient(SpanRecord span) => span.Kind == ActivityKind.Client;
}
