namespace MigrationCluster.Runtime.Networking;

/// <summary>A send on a closed connection, or the reason handed to handlers when the peer went away.</summary>
public sealed class ConnectionClosedException : IOException
{
    public ConnectionClosedException()
    {
    }

    public ConnectionClosedException(string message)
        : base(message)
    {
    }

    public ConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
