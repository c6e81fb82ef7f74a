using System.Runtime.CompilerServices;
using MigrationCluster.Runtime.Scheduler;
using MigrationCluster.Runtime.Serialization;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>A request whose method produces a <typeparamref name="T"/> (<see cref="VoidResult"/> for a plain task).</summary>
public abstract class Request<T> : Request
{
    private const int NoOneWaiting = 0;
    private const int Waiting = 1;
    private const int Delivered = 2;

    // Where the outcome goes: the local caller's task (built in place, so a call needs no
    // TaskCompletionSource of its own), or a response on the wire for a remote caller. Only
    // fields every local call uses live here; the remote and asynchronous paths have their own
    // small objects, so the common request stays small.
    private AsyncTaskMethodBuilder<T> _callerTask;
    private RemoteCaller? _remoteCaller;
    // NoOneWaiting (one-way calls, timer ticks), Waiting, or Delivered: only the first outcome counts.
    private int _outcome;

    /// <summary>Calls the interface method on the grain with the request's arguments.</summary>
    protected abstract ValueTask<T> InvokeCore(object grain);

    public override bool IsCompleted => Volatile.Read(ref _outcome) == Delivered;

    public override void Fail(Exception exception)
    {
        if (!TryClaimOutcome())
        {
            return;
        }
        if (_remoteCaller is { } remote)
        {
            remote.Responder.SendException(this, exception);
            return;
        }
        GrainCallTelemetry.OnCallCompleted(this, exception);
        // The caller's continuation runs inline, but never on the callee's context.
        var scope = RuntimeContext.Suspend();
        try
        {
            // A cancellation becomes a cancelled task (the builder maps OperationCanceledException).
            _callerTask.SetException(exception);
        }
        finally
        {
            scope.Resume();
        }
    }

    /// <summary>
    /// Delivers a result; a local one is copied first, so the callee's later changes are not seen by
    /// the caller. <paramref name="loopContext"/> is the synchronization context current on this
    /// thread when the caller knows it (the activation's, on its work loop), sparing a thread-local read.
    /// </summary>
    private void Succeed(T result, bool copyForLocalCaller, SynchronizationContext? loopContext = null)
    {
        if (copyForLocalCaller && _remoteCaller is null && Volatile.Read(ref _outcome) == Waiting)
        {
            result = Copier<T>.Copy(result);
        }
        if (!TryClaimOutcome())
        {
            return;
        }
        if (_remoteCaller is { } remote)
        {
            remote.Result = result;
            remote.Responder.SendResult(this, RemoteCaller.WriteResult);
            return;
        }
        GrainCallTelemetry.OnCallCompleted(this, null);
        var scope = loopContext is null ? RuntimeContext.Suspend() : RuntimeContext.Suspend(loopContext);
        try
        {
            _callerTask.SetResult(result);
        }
        finally
        {
            scope.Resume();
        }
    }

    private bool TryClaimOutcome() => Volatile.Read(ref _outcome) == Waiting
        && Interlocked.CompareExchange(ref _outcome, Delivered, Waiting) == Waiting;

    internal override bool Run(object grain, Catalog.Activation activation)
    {
        ValueTask<T> task;
        try
        {
            task = InvokeCore(grain);
        }
        catch (Exception exception)
        {
            ServerException = exception;
            activation.OnRequestCompleted(this);
            Fail(exception);
            return false;
        }

        if (task.IsCompleted)
        {
            // The turn ends before the caller hears the outcome. The caller's continuation runs
            // inline and often calls this grain again at once; with the request already off the
            // activation's running list, that call is admitted directly instead of queueing
            // behind a request that is done. (Returns false: the activation has been told.)
            if (TryGetOutcome(task, out var result, out var exception))
            {
                activation.OnRequestCompleted(this);
                // Still inside the turn, on the work loop: the current context is the loop's.
                Succeed(result!, copyForLocalCaller: true, activation.LoopContext);
            }
            else
            {
                activation.OnRequestCompleted(this);
                Fail(exception!);
            }
            return false;
        }

        // The continuation captures the activation's SynchronizationContext (current during the
        // turn), so completion is handled on the activation, one turn at a time.
        task.ConfigureAwait(true).GetAwaiter().UnsafeOnCompleted(new PendingTurn(this, task, activation).OnCompleted);
        return false;
    }

    private void OnPendingCompleted(ValueTask<T> task, Catalog.Activation activation)
    {
        // As in Run: the turn (and its server span) ends before the caller hears the outcome.
        var succeeded = TryGetOutcome(task, out var result, out var exception);
        activation.OnRequestCompleted(this);
        if (succeeded)
        {
            Succeed(result!, copyForLocalCaller: true);
        }
        else
        {
            Fail(exception!);
        }
    }

    /// <summary>The completed task's result, or the exception it failed with (kept as <see cref="Request.ServerException"/>).</summary>
    private bool TryGetOutcome(ValueTask<T> task, out T? result, out Exception? exception)
    {
        if (task.IsCompletedSuccessfully)
        {
            // The common case, without the exception handler (which keeps this method from being inlined).
            result = task.Result;
            exception = null;
            return true;
        }
        return TryGetFailedOutcome(task, out result, out exception);
    }

    private bool TryGetFailedOutcome(ValueTask<T> task, out T? result, out Exception? exception)
    {
        try
        {
            result = task.GetAwaiter().GetResult();
            exception = null;
            return true;
        }
        catch (Exception thrown)
        {
            ServerException = thrown;
            result = default;
            exception = thrown;
            return false;
        }
    }

    internal override void CompleteFromWire(WireReader reader) => Succeed(WireCodec<T>.Read(reader), copyForLocalCaller: false);

    internal override void AttachRemoteSink(IRemoteResponder responder)
    {
        _remoteCaller = new RemoteCaller(responder);
        Volatile.Write(ref _outcome, Waiting);
    }

    /// <summary>Used by generated proxies (through <see cref="GrainReference"/>): the task the local caller awaits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Task<T> CreateCallerTask()
    {
        // Taken before the request is sent, so the builder's task exists before any thread can complete it.
        var task = _callerTask.Task;
        _outcome = Waiting;
        return task;
    }

    /// <summary>Adapts a <see cref="Task"/> of a void method to the request's result type.</summary>
    protected static ValueTask<VoidResult> AwaitVoid(Task task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return default;
        }
        return Await(task);

        static async ValueTask<VoidResult> Await(Task task)
        {
            await task.ConfigureAwait(true);
            return default;
        }
    }

    /// <summary>Adapts a <see cref="ValueTask"/> of a void method to the request's result type.</summary>
    protected static ValueTask<VoidResult> AwaitVoid(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.GetAwaiter().GetResult();
            return default;
        }
        return Await(task);

        static async ValueTask<VoidResult> Await(ValueTask task)
        {
            await task.ConfigureAwait(true);
            return default;
        }
    }

    /// <summary>A request whose grain method did not finish synchronously: what its completion needs.</summary>
    private sealed class PendingTurn(Request<T> request, ValueTask<T> task, Catalog.Activation activation)
    {
        public void OnCompleted() => request.OnPendingCompleted(task, activation);
    }

    /// <summary>The caller of a request that came from another silo: where its response goes.</summary>
    private sealed class RemoteCaller(IRemoteResponder responder)
    {
        public static readonly Action<WireWriter, Request> WriteResult = static (writer, r) => WireCodec<T>.Write(writer, ((Request<T>)r)._remoteCaller!.Result!);

        public IRemoteResponder Responder { get; } = responder;

        public T? Result { get; set; }
    }
}
