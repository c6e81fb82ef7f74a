namespace MigrationCluster.Runtime.Networking;

/// <summary>The handshake failed: wrong cluster id, failed authentication, not our protocol, or timed out.</summary>
public sealed class ConnectionRefusedException : IOException
{
    public ConnectionRefusedException()
    {
    }

    public ConnectionRefusedException(string message)
        : base(message)
    {
    }

    public ConnectionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
