namespace MigrationCluster.Hosting.Io;

/// <summary>
/// A path the user gave cannot serve as what it was given for (an input that is a device, an
/// output inside a file, an output that would overwrite an input). Commands report it as bad input:
/// the message is one sentence that names the path.
/// </summary>
public sealed class UnusablePathException : Exception
{
    public UnusablePathException()
    {
    }

    public UnusablePathException(string message)
        : base(message)
    {
    }

    public UnusablePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
