using System.Collections.Concurrent;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// The calls sent over one connection that wait for an answer: grain requests by correlation id,
/// and control operations (probes, directory operations) whose answer body is handed back as bytes.
/// When the connection goes, everything here fails at once (<see cref="FailAll"/>).
/// </summary>
internal sealed class PendingCalls
{
    private static long s_nextCorrelationId;

    private readonly ConcurrentDictionary<long, Request> _requests = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _controls = new();
    private readonly ConcurrentDictionary<long, CancellationTokenRegistration> _cancellations = new();
    private Func<Exception>? _closedReason;

    public static long NextCorrelationId() => Interlocked.Increment(ref s_nextCorrelationId);

    /// <summary>False when the table is already closed (the request was failed instead).</summary>
    public bool TryAdd(long correlationId, Request request)
    {
        _requests[correlationId] = request;
        if (Volatile.Read(ref _closedReason) is { } reason && _requests.TryRemove(correlationId, out _))
        {
            request.Fail(reason());
            return false;
        }
        return true;
    }

    public bool TryTake(long correlationId, out Request request)
    {
        StopForwardingCancellation(correlationId);
        return _requests.TryRemove(correlationId, out request!);
    }

    public void Remove(long correlationId)
    {
        StopForwardingCancellation(correlationId);
        _requests.TryRemove(correlationId, out _);
    }

    /// <summary>Keeps the registration that tells the callee when the caller cancels, until the call is over.</summary>
    public void ForwardCancellation(long correlationId, CancellationTokenRegistration registration)
    {
        _cancellations[correlationId] = registration;
        if (!_requests.ContainsKey(correlationId))
        {
            StopForwardingCancellation(correlationId);
        }
    }

    private void StopForwardingCancellation(long correlationId)
    {
        if (!_cancellations.IsEmpty && _cancellations.TryRemove(correlationId, out var registration))
        {
            registration.Unregister();
        }
    }

    public Task<byte[]> AddControl(long correlationId)
    {
        var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _controls[correlationId] = completion;
        if (Volatile.Read(ref _closedReason) is { } reason && _controls.TryRemove(correlationId, out _))
        {
            completion.TrySetException(reason());
        }
        return completion.Task;
    }

    public void CompleteControl(long correlationId, byte[] body)
    {
        if (_controls.TryRemove(correlationId, out var completion))
        {
            completion.TrySetResult(body);
        }
    }

    public void RemoveControl(long correlationId) => _controls.TryRemove(correlationId, out _);

    /// <summary>Fails everything pending, and anything added later, with the exception <paramref name="reason"/> makes.</summary>
    public void FailAll(Func<Exception> reason)
    {
        Volatile.Write(ref _closedReason, reason);
        foreach (var key in _requests.Keys)
        {
            if (_requests.TryRemove(key, out var request))
            {
                request.Fail(reason());
            }
        }
        foreach (var key in _controls.Keys)
        {
            if (_controls.TryRemove(key, out var completion))
            {
                completion.TrySetException(reason());
            }
        }
        foreach (var key in _cancellations.Keys)
        {
            StopForwardingCancellation(key);
        }
    }

    /// <summary>A source for the response-timeout sweeper: takes out the requests past their deadline.</summary>
    public void CollectExpired(long nowTimestamp, List<Request> expired)
    {
        foreach (var (key, request) in _requests)
        {
            if (request.IsCompleted || (request.DeadlineTimestamp != 0 && request.DeadlineTimestamp < nowTimestamp))
            {
                StopForwardingCancellation(key);
                if (_requests.TryRemove(key, out _) && !request.IsCompleted)
                {
                    expired.Add(request);
                }
            }
        }
    }
}
