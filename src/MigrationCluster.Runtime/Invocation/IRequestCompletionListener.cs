namespace MigrationCluster.Runtime.Invocation;

/// <summary>Hears when a request that did not finish synchronously has finished.</summary>
internal interface IRequestCompletionListener
{
    void OnRequestCompleted(Request request);

    /// <summary>The synchronization context current on the thread that runs the request's turns and completions.</summary>
    SynchronizationContext LoopContext { get; }
}
