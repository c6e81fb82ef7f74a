using System.Diagnostics;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Runtime.Tests.Grains;

public interface ITracedGrain : IGrainWithIntegerKey
{
    /// <summary>Starts an application span, calls <paramref name="next"/> (if any) inside it, returns the span's ids.</summary>
    Task<SpanIds> Traced(ITracedGrain? next);

    Task Fail();
}

public sealed record SpanIds(string TraceId, string SpanId, string ParentSpanId, string? ExplicitParentSpanId, SpanIds? Inner);

public sealed class TracedGrain : Grain, ITracedGrain
{
    public static readonly ActivitySource Application = new("MigrationCluster.Tests.Application");

    public async Task<SpanIds> Traced(ITracedGrain? next)
    {
        var explicitParent = GrainActivity.ParentContext().SpanId.ToHexString();
        using var span = Application.StartActivity("app-work");
        SpanIds? inner = null;
        if (next is not null)
        {
            inner = await next.Traced(null);
        }
        return new SpanIds(
            span?.TraceId.ToHexString() ?? string.Empty,
            span?.SpanId.ToHexString() ?? string.Empty,
            span?.ParentSpanId.ToHexString() ?? string.Empty,
            explicitParent,
            inner);
    }

    public Task Fail() => throw new InvalidOperationException("traced failure");
}

public interface IGrainActivityProbe : IGrainWithIntegerKey
{
    Task Work();
}

public sealed class GrainActivityProbeGrain : Grain, IGrainActivityProbe
{
    public Task Work()
    {
        using var span = GrainActivity.StartActivity(TracedGrain.Application, "probe-step");
        return Task.CompletedTask;
    }
}
