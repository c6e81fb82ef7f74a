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
/// a request-context entry costs every call three dictionary copies (set, sent, received), so
/// while this silo is the only active one, where no call can cross, no entry is made.
/// </summary>
public sealed class GrainCallCounter(ILocalSiloDetails silo, IClusterMembershipService membership) : IOutgoingGrainCallFilter, IIncomingGrainCallFilter
{
    public const string CallerSiloKey = "mc.caller-silo";

    private static readonly KeyValuePair<string, object?> CrossSilo = new(MigrationTelemetry.Tags.CrossSilo, true);
    private static readonly KeyValuePair<string, object?> SameSilo = new(MigrationTelemetry.Tags.CrossSilo, false);

    private readonly string _silo = silo.SiloAddress.ToParsableString();

    // Whether this silo was alone at a membership version; replaced as a whole, so never torn.
    private Alone _alone = new(MembershipVersion.MinValue, true);

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsSimulation(context.Request.GetInterfaceType()) && !IsAlone())
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

    /// <summary>Whether no other silo is active (read again only when the membership version moves).</summary>
    private bool IsAlone()
    {
        var snapshot = membership.CurrentSnapshot;
        var known = _alone;
        if (snapshot.Version != known.Version)
        {
            known = new Alone(snapshot.Version, !snapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress)));
            _alone = known;
        }
        return known.IsAlone;
    }

    private static bool IsSimulation(Type interfaceType) => interfaceType.Namespace?.StartsWith("MigrationCluster.", StringComparison.Ordinal) == true;

    private sealed record Alone(MembershipVersion Version, bool IsAlone);
}
