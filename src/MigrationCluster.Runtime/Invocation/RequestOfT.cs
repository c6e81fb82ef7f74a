using System.Runtime.CompilerServices;
using MigrationCluster.Runtime.Serialization;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>A request whose method produces a <typeparamref name="T"/> (<see cref="VoidResult"/> for a plain task).</summary>
public abstract class Request<T> : Request
{
    private IResponseSink<T>? _sink;
    private ValueTask<T> _pending;
    private IRequestCompletionListener? _listener;
    private Action? _onPendingCompleted;

    /// <summary>Calls the interface method on the grain with the request's arguments.</summary>
    protected abstract ValueTask<T> InvokeCore(object grain);

    internal IResponseSink<T>? Sink
    {
        get => _sink;
        set => _sink = value;
    }

    public override bool IsCompleted => _sink?.IsCompleted ?? false;

    public override void Fail(Exception exception) => _sink?.SetException(exception);

    internal override bool Run(object grain, IRequestCompletionListener listener)
    {
        ValueTask<T> task;
        try
        {
            task = InvokeCore(grain);
        }
        catch (Exception exception)
        {
            ServerException = exception;
            listener.OnRequestCompleted(this);
            Fail(exception);
            return false;
        }

        if (task.IsCompleted)
        {
            // The turn ends before the caller hears the outcome. The caller's continuation runs
            // inline and often calls this grain again at once; with the request already off the
            // activation's running list, that call is admitted directly instead of queueing
            // behind a request that is done. (Returns false: the listener has been told.)
            if (TryGetOutcome(task, out var result, out var exception))
            {
                listener.OnRequestCompleted(this);
                _sink?.SetResult(result!);
            }
            else
            {
                listener.OnRequestCompleted(this);
                Fail(exception!);
            }
            return false;
        }

        // The continuation captures the activation's SynchronizationContext (current during the
        // turn), so completion is handled on the activation, one turn at a time.
        _pending = task;
        _listener = listener;
        task.ConfigureAwait(true).GetAwaiter().UnsafeOnCompleted(_onPendingCompleted ??= OnPendingCompleted);
        return false;
    }

    private void OnPendingCompleted()
    {
        var task = _pending;
        _pending = default;
        // As in Run: the turn (and its server span) ends before the caller hears the outcome.
        var succeeded = TryGetOutcome(task, out var result, out var exception);
        _listener!.OnRequestCompleted(this);
        if (succeeded)
        {
            _sink?.SetResult(result!);
        }
        else
        {
            Fail(exception!);
        }
    }

    /// <summary>The completed task's result, or the exception it failed with (kept as <see cref="Request.ServerException"/>).</summary>
    private bool TryGetOutcome(ValueTask<T> task, out T? result, out Exception? exception)
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

    internal override void CompleteFromWire(WireReader reader)
    {
        var value = WireCodec<T>.Read(reader);
        if (_sink is CallCompletion<T> completion)
        {
            completion.SetResultUncopied(value);
        }
        else
        {
            _sink?.SetResult(value);
        }
    }

    internal override void AttachRemoteSink(IRemoteResponder responder) => _sink = new RemoteResponseSink(this, responder);

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

    /// <summary>Sends the outcome of a request that came from another silo back over the wire.</summary>
    private sealed class RemoteResponseSink(Request<T> request, IRemoteResponder responder) : IResponseSink<T>
    {
        private static readonly Action<WireWriter, Request> WriteValue = static (writer, r) => WireCodec<T>.Write(writer, ((Request<T>)r)._result!);
        private int _completed;

        public bool IsCompleted => Volatile.Read(ref _completed) != 0;

        public void SetResult(T result)
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                request._result = result;
                responder.SendResult(request, WriteValue);
            }
        }

        public void SetException(Exception exception)
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                responder.SendException(request, exception);
            }
        }
    }

    private T? _result;

    /// <summary>Used by generated proxies: the call's completion, wired to this request.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal CallCompletion<T> CreateCompletion()
    {
        var completion = new CallCompletion<T>(this);
        _sink = completion;
        return completion;
    }
}
