namespace MigrationCluster.Hosting;

/// <summary>A cluster command could not do what was asked; the message is the one line the user sees.</summary>
public sealed class ClusterCommandException : Exception
{
    public ClusterCommandException()
    {
    }

    public ClusterCommandException(string message)
        : base(message)
    {
    }

    public ClusterCommandException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
