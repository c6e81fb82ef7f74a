namespace MigrationCluster.Runtime.Core;

public enum DeactivationReasonCode
{
    None,
    /// <summary>Idle for longer than its collection age.</summary>
    ActivationIdle,
    /// <summary>The grain asked for it with <c>DeactivateOnIdle()</c>.</summary>
    ApplicationRequested,
    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,
    /// <summary>Activation failed; the activation is discarded.</summary>
    ActivationFailed,
}

/// <summary>Why an activation is being deactivated, passed to <c>OnDeactivateAsync</c>.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description)
{
    public override string ToString() => $"{ReasonCode}: {Description}";
}
