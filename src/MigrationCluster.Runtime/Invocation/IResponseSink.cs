namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// Where the outcome of a request goes: the caller's awaiting task for a local call, or a
/// response message on the wire for a call that came from another silo. Only the first outcome
/// counts (a response racing a timeout is dropped).
/// </summary>
public interface IResponseSink<in T>
{
    void SetResult(T result);

    void SetException(Exception exception);

    /// <summary>True once an outcome has been delivered.</summary>
    bool IsCompleted { get; }
}
