using System.Collections.Concurrent;
using System.Diagnostics;

namespace MigrationCluster.Runtime.Tests.Telemetry;

/// <summary>Records the stopped activities of the named sources, for the duration of a test.</summary>
internal sealed class SpanCollector : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public SpanCollector(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spans.Enqueue(activity),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public Activity Single(string name, ActivityKind kind) => Spans.Single(s => s.OperationName == name && s.Kind == kind);

    public void Dispose() => _listener.Dispose();
}
