using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Timers;

namespace MigrationCluster.Runtime.Core;

/// <summary>
/// Base class of grain implementations. The runtime creates one instance per activation, calls
/// <see cref="OnActivateAsync"/> before the first request (after persistent state is read), and
/// <see cref="OnDeactivateAsync"/> before the activation goes away.
/// </summary>
public abstract class Grain : IAddressable
{
    private Activation? _activation;

    internal Activation Activation
    {
        get => _activation ?? throw new InvalidOperationException("The grain is not activated yet: its identity and services are available from OnActivateAsync on.");
        set => _activation = value;
    }

    public GrainId GrainId => Activation.GrainId;

    /// <summary><c>type/key</c>, for logs.</summary>
    public string IdentityString => GrainId.ToString();

    protected IGrainFactory GrainFactory => Activation.Services.GrainFactory;

    protected IServiceProvider ServiceProvider => Activation.Services.ServiceProvider;

    protected TimeProvider TimeProvider => Activation.Services.TimeProvider;

    public long GetPrimaryKeyLong() => GrainId.GetIntegerKey();

    public string GetPrimaryKeyString() => GrainId.Key;

    public Guid GetPrimaryKey() => GrainId.GetGuidKey();

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivate this activation once the current request (if any) completes.</summary>
    protected void DeactivateOnIdle() =>
        Activation.DeactivateOnIdle(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>
    /// Registers a timer whose ticks are turns of this activation. By default ticks do not
    /// interleave with requests and do not keep the activation alive.
    /// </summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer((s, ct) => callback((TState)s!, ct), state, options);
    }

    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer((_, ct) => callback(ct), null, options);
    }

    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, period));
}
