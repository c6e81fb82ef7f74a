namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// A fencing token for experiment runs. A run that was abandoned (a silo lost, its client gone)
/// can leave calls behind it: a coordinator asleep in a paced wait wakes after the next run has
/// configured the same node and address-space grains afresh, and its lock_page would land in the
/// new run's memory. Each run names itself in Orleans' <see cref="RequestContext"/>, which flows
/// with every call made on its behalf (coordinators, the run's clock, tasks' faults); a grain
/// configured by one run refuses calls of another. Calls outside experiments (scenarios,
/// syscalls, the dashboard's reads) carry no run and are never refused.
/// </summary>
public static class RunFence
{
    /// <summary>The request-context entry: the run's id (a string).</summary>
    public const string RequestContextKey = "mc.run";

    /// <summary>The run the current call is made for, or null outside experiments.</summary>
    public static string? Current => RequestContext.Get(RequestContextKey) as string;

    /// <summary>
    /// Lets a call through unless it belongs to another run than <paramref name="configuredBy"/>,
    /// the run that configured <paramref name="grain"/>.
    /// </summary>
    public static Task Invoke(IIncomingGrainCallContext call, string? configuredBy, string grain)
    {
        ArgumentNullException.ThrowIfNull(call);
        // The grain's own field first: outside experiments the request context is not read at all.
        if (configuredBy is not null && Current is { } run && run != configuredBy && call.InterfaceMethod?.Name != "Configure")
        {
            throw new InvalidOperationException($"{grain} refused a call of an abandoned run ({run}): it now belongs to run {configuredBy}");
        }
        return call.Invoke();
    }
}
