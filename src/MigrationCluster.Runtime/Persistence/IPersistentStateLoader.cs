namespace MigrationCluster.Runtime.Persistence;

/// <summary>Lets the activation read every injected state before <c>OnActivateAsync</c>.</summary>
internal interface IPersistentStateLoader
{
    Task ReadStateAsync(CancellationToken cancellationToken);
}
