namespace MigrationCluster.Hosting;

/// <summary>Thrown by a command for input it cannot accept; reported as one line with <see cref="ExitCodes.BadInput"/>.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
