using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Persistence;

/// <summary>A write found a different ETag than the one the grain read: someone else wrote in between.</summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException(string message)
        : base(message)
    {
    }

    public InconsistentStateException(GrainId grainId, string stateName, string? expectedEtag, string? storedEtag)
        : base($"ETag conflict writing state '{stateName}' of grain {grainId}: expected {expectedEtag ?? "no record"}, stored {storedEtag ?? "no record"}.")
    {
    }
}
