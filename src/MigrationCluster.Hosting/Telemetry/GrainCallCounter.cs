using System.Diagnostics.Metrics;
using MigrationCluster.Grains.Migration;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Counts the simulation's grain calls at the callee, and which of them crossed silos, on the
/// <c>MigrationCluster</c> meter (<see cref="MigrationTelemetry.GrainCalls"/>, tagged
/// <c>cross_silo</c>): what an experiment or a benchmark divides by its pages. The caller's silo
/// travels in the request context (set by the outgoing half); a call from a client carries none
/// and counts as not crossing silos. Opt-in (<see cref="SiloBuilderTelemetryExtensions.AddGrainCallCounting"/>):
/// the request-context entry costs every call a little.
/// </summary>
public sealed class GrainCallCounter(ILocalSiloDetails silo) : IOutgoingGrainCallFilter, IIncomingGrainCallFilter
{
    public const string CallerSiloKey = "mc.caller-silo";

    private static readonly KeyValuePair<string, object?> CrossSilo = new(MigrationTelemetry.Tags.CrossSilo, true);
    private static readonly KeyValuePair<string, object?> SameSilo = new(MigrationTelemetry.Tags.CrossSilo, false);

    private readonly string _silo = silo.SiloAddress.ToParsableString();

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsSimulation(context.Request.GetInterfaceType()))
        {
            RequestContext.Set(CallerSiloKey, _silo);
        }
        return context.Invoke();
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsSimulation(context.Request.GetInterfaceType()))
        {
            var caller = RequestContext.Get(CallerSiloKey) as string;
            MigrationTelemetry.GrainCalls.Add(1, caller is not null && caller != _silo ? CrossSilo : SameSilo);
        }
        return context.Invoke();
    }

    private static bool IsSimulation(Type interfaceType) => interfaceType.Namespace?.StartsWith("MigrationCluster.", StringComparison.Ordinal) == true;
}
