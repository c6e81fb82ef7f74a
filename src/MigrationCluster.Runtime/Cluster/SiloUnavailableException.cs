using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// A call could not reach the silo its grain lives on (the silo is dead, or its connection broke
/// while the call was in flight). Thrown at once instead of waiting for the response timeout.
/// </summary>
public sealed class SiloUnavailableException : Exception
{
    public SiloUnavailableException(string message)
        : base(message)
    {
    }

    public SiloUnavailableException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public SiloUnavailableException(SiloAddress silo, string reason, Exception? inner = null)
        : base($"Silo {silo} is unavailable: {reason}", inner)
    {
        Silo = silo?.ToString();
    }

    public SiloUnavailableException()
    {
    }

    /// <summary>The unreachable silo's address in text form (null when rebuilt from the wire).</summary>
    public string? Silo { get; }
}
