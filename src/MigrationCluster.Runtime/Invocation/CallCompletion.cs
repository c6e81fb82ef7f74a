using MigrationCluster.Runtime.Scheduler;
using MigrationCluster.Runtime.Serialization;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// The caller's side of a call: the task it awaits. Completion runs the caller's continuation
/// inline when the caller is not a grain (the fast path), but never on the callee's context:
/// the activation's SynchronizationContext and runtime context are cleared around it.
/// </summary>
internal sealed class CallCompletion<T>(Request request) : TaskCompletionSource<T>, IResponseSink<T>
{
    bool IResponseSink<T>.IsCompleted => Task.IsCompleted;

    /// <summary>A local result: copied, so the callee's later changes are not seen by the caller.</summary>
    void IResponseSink<T>.SetResult(T result) => SetResultUncopied(Copier<T>.Copy(result));

    public void SetResultUncopied(T result)
    {
        if (Task.IsCompleted)
        {
            return;
        }
        GrainCallTelemetry.OnCallCompleted(request, null);
        var scope = RuntimeContext.Suspend();
        try
        {
            TrySetResult(result);
        }
        finally
        {
            scope.Resume();
        }
    }

    void IResponseSink<T>.SetException(Exception exception)
    {
        if (Task.IsCompleted)
        {
            return;
        }
        GrainCallTelemetry.OnCallCompleted(request, exception);
        var scope = RuntimeContext.Suspend();
        try
        {
            if (exception is OperationCanceledException canceled)
            {
                TrySetCanceled(canceled.CancellationToken);
            }
            else
            {
                TrySetException(exception);
            }
        }
        finally
        {
            scope.Resume();
        }
    }
}
