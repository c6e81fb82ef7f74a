using MigrationCluster.Runtime.Catalog;

namespace MigrationCluster.Runtime.Scheduler;

/// <summary>
/// Which activation the current thread is running a turn for: the one whose
/// <see cref="ActivationSynchronizationContext"/> is current. The work loop installs that context
/// for its items, and it is cleared while a caller's continuation runs inline. One thread-local
/// (the thread's synchronization context) serves both purposes: each thread-local access costs a
/// call on Linux, and a grain call makes several of these checks.
/// </summary>
internal static class RuntimeContext
{
    public static Activation? Current => (SynchronizationContext.Current as ActivationSynchronizationContext)?.Activation;

    /// <summary>Leaves the activation's context for a moment (to run foreign code inline).</summary>
    public static SuspendedContext Suspend()
    {
        var syncContext = SynchronizationContext.Current;
        if (syncContext is null)
        {
            return default;
        }
        SynchronizationContext.SetSynchronizationContext(null);
        return new SuspendedContext(syncContext);
    }

    /// <summary>As <see cref="Suspend()"/>, for a caller that knows the current context is <paramref name="current"/>.</summary>
    public static SuspendedContext Suspend(SynchronizationContext current)
    {
        SynchronizationContext.SetSynchronizationContext(null);
        return new SuspendedContext(current);
    }

    internal readonly struct SuspendedContext(SynchronizationContext? syncContext)
    {
        public void Resume()
        {
            if (syncContext is not null)
            {
                SynchronizationContext.SetSynchronizationContext(syncContext);
            }
        }
    }
}
