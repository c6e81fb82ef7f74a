namespace MigrationCluster.Runtime.Messaging;

/// <summary>A grain on another silo threw an exception whose type could not be rebuilt here.</summary>
public sealed class RemoteGrainException(string exceptionType, string message, string? remoteStackTrace)
    : Exception($"{exceptionType}: {message}")
{
    public string ExceptionType { get; } = exceptionType;

    public string? RemoteStackTrace { get; } = remoteStackTrace;
}
