using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>A grain could not be activated (its constructor, state read or <c>OnActivateAsync</c> threw).</summary>
public sealed class ActivationFailedException : Exception
{
    public ActivationFailedException(GrainId grainId, Exception inner)
        : base($"Activation of grain {grainId} failed: {inner.GetType().Name}: {inner.Message}", inner)
    {
        GrainId = grainId;
    }

    public GrainId GrainId { get; }
}
