using MigrationCluster.Runtime.Catalog;

namespace MigrationCluster.Runtime.Scheduler;

/// <summary>
/// Which activation the current thread is running a turn for. Set by the activation's work
/// loop for each work item; cleared while a caller's continuation runs inline.
/// </summary>
internal static class RuntimeContext
{
    [ThreadStatic]
    private static Activation? t_current;

    public static Activation? Current => t_current;

    public static void Enter(Activation activation) => t_current = activation;

    public static void Exit() => t_current = null;

    /// <summary>Leaves the activation's context for a moment (to run foreign code inline).</summary>
    public static SuspendedContext Suspend()
    {
        var activation = t_current;
        var syncContext = SynchronizationContext.Current;
        if (activation is null && syncContext is null)
        {
            return default;
        }
        t_current = null;
        SynchronizationContext.SetSynchronizationContext(null);
        return new SuspendedContext(activation, syncContext);
    }

    internal readonly struct SuspendedContext(Activation? activation, SynchronizationContext? syncContext)
    {
        public void Resume()
        {
            if (activation is null && syncContext is null)
            {
                return;
            }
            t_current = activation;
            SynchronizationContext.SetSynchronizationContext(syncContext);
        }
    }
}
