using System.Diagnostics;

namespace MigrationCluster.Runtime.Telemetry;

/// <summary>
/// Starting spans from grain code. When nobody listens to the runtime's own source, a grain runs
/// under a placeholder activity that only carries the caller's trace context; spans started here
/// skip it and become children of the caller's span itself, so the exported tree has no gaps.
/// </summary>
public static class GrainActivity
{
    /// <summary>The context a new span should have as parent.</summary>
    public static ActivityContext ParentContext() => GrainCallTelemetry.CurrentParentContext();

    public static Activity? StartActivity(ActivitySource source, string name, ActivityKind kind = ActivityKind.Internal)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.HasListeners())
        {
            return null;
        }
        var current = Activity.Current;
        return current is not null && GrainCallTelemetry.IsPropagationPlaceholder(current)
            ? source.StartActivity(name, kind, ParentContext())
            : source.StartActivity(name, kind);
    }

    /// <summary>
    /// Ends a span from wherever its end is noticed without disturbing that thread's current span
    /// (<see cref="Activity.Stop"/> would make the span's parent current).
    /// </summary>
    public static void StopKeepingCurrent(Activity? activity)
    {
        if (activity is null)
        {
            return;
        }
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }
}
