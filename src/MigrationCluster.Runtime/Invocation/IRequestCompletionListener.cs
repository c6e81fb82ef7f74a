namespace MigrationCluster.Runtime.Invocation;

/// <summary>Hears when a request that did not finish synchronously has finished.</summary>
internal interface IRequestCompletionListener
{
    void OnRequestCompleted(Request request);
}
