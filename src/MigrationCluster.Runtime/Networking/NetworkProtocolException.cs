namespace MigrationCluster.Runtime.Networking;

/// <summary>The peer broke the framing: a frame over the size limit, or a frame cut off by the end of the stream.</summary>
public sealed class NetworkProtocolException : IOException
{
    public NetworkProtocolException()
    {
    }

    public NetworkProtocolException(string message)
        : base(message)
    {
    }

    public NetworkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
