namespace MigrationCluster.Runtime.Serialization;

/// <summary>Bytes that are not a well-formed message.</summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message)
        : base(message)
    {
    }

    public WireFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
