namespace MigrationCluster.Runtime.Configuration;

/// <summary>When idle activations are collected.</summary>
public sealed class GrainCollectionOptions
{
    public static readonly TimeSpan DefaultCollectionAge = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan DefaultCollectionQuantum = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan DefaultDeactivationTimeout = TimeSpan.FromMinutes(1);

    /// <summary>An activation idle for longer than this is deactivated.</summary>
    public TimeSpan CollectionAge { get; set; } = DefaultCollectionAge;

    /// <summary>How often the collector looks for idle activations.</summary>
    public TimeSpan CollectionQuantum { get; set; } = DefaultCollectionQuantum;

    /// <summary>How long <c>OnDeactivateAsync</c> may take before its token is cancelled.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = DefaultDeactivationTimeout;

    public void Validate()
    {
        if (CollectionQuantum <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(GrainCollectionOptions)}.{nameof(CollectionQuantum)} must be positive (was {CollectionQuantum}).");
        }
        if (CollectionAge < CollectionQuantum)
        {
            throw new OptionsValidationException($"{nameof(GrainCollectionOptions)}.{nameof(CollectionAge)} ({CollectionAge}) must be at least {nameof(CollectionQuantum)} ({CollectionQuantum}).");
        }
        if (DeactivationTimeout <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(GrainCollectionOptions)}.{nameof(DeactivationTimeout)} must be positive (was {DeactivationTimeout}).");
        }
    }
}
