using MigrationCluster.Runtime.Catalog;

namespace MigrationCluster.Runtime.Scheduler;

/// <summary>
/// Brings every <c>await</c> continuation of grain code back onto its activation's work queue,
/// so that an activation runs one piece of code at a time, on any thread-pool thread.
/// (<c>ConfigureAwait(false)</c> leaves the activation, as it would in Orleans.)
/// </summary>
internal sealed class ActivationSynchronizationContext(Activation activation) : SynchronizationContext
{
    public Activation Activation { get; } = activation;

    public override void Post(SendOrPostCallback d, object? state) => Activation.EnqueueContinuation(d, state);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (RuntimeContext.Current == Activation)
        {
            d(state);
            return;
        }
        throw new NotSupportedException("Synchronous Send into a grain activation from outside it would block a thread-pool thread.");
    }

    public override SynchronizationContext CreateCopy() => this;
}
