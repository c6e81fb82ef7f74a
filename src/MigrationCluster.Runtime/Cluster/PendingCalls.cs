using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// The calls sent over one connection that wait for an answer: grain requests by correlation id,
/// and control operations (probes, directory operations) whose answer body is handed back as bytes.
/// When the connection goes, everything here fails at once (<see cref="FailAll"/>).
/// </summary>
internal sealed class PendingCalls
{
    // Every remote call adds and takes one entry. Plain dictionaries behind striped locks reuse
    // their slots, where a ConcurrentDictionary allocates a node per add; correlation ids are
    // sequential, so consecutive calls land on different stripes.
    private const int StripeCount = 16;

    private static long s_nextCorrelationId;

    private readonly Stripe[] _stripes = CreateStripes();
    private readonly Dictionary<long, TaskCompletionSource<byte[]>> _controls = [];
    private Func<Exception>? _closedReason;

    public static long NextCorrelationId() => Interlocked.Increment(ref s_nextCorrelationId);

    /// <summary>False when the table is already closed (the request was failed instead).</summary>
    public bool TryAdd(long correlationId, Request request)
    {
        var stripe = StripeOf(correlationId);
        lock (stripe.Gate)
        {
            // Checked under the stripe's lock: FailAll sets the reason first, then empties every stripe under its lock.
            if (Volatile.Read(ref _closedReason) is null)
            {
                stripe.Calls[correlationId] = new PendingCall(request, default);
                return true;
            }
        }
        request.Fail(_closedReason!());
        return false;
    }

    public bool TryTake(long correlationId, out Request request)
    {
        var stripe = StripeOf(correlationId);
        PendingCall call;
        lock (stripe.Gate)
        {
            if (!stripe.Calls.Remove(correlationId, out call))
            {
                request = null!;
                return false;
            }
        }
        call.Cancellation.Unregister();
        request = call.Request;
        return true;
    }

    public void Remove(long correlationId) => TryTake(correlationId, out _);

    /// <summary>Keeps the registration that tells the callee when the caller cancels, until the call is over.</summary>
    public void ForwardCancellation(long correlationId, CancellationTokenRegistration registration)
    {
        var stripe = StripeOf(correlationId);
        lock (stripe.Gate)
        {
            if (stripe.Calls.TryGetValue(correlationId, out var call))
            {
                stripe.Calls[correlationId] = call with { Cancellation = registration };
                return;
            }
        }
        // The call is already over.
        registration.Unregister();
    }

    public Task<byte[]> AddControl(long correlationId)
    {
        var completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_controls)
        {
            if (Volatile.Read(ref _closedReason) is null)
            {
                _controls[correlationId] = completion;
                return completion.Task;
            }
        }
        completion.TrySetException(_closedReason!());
        return completion.Task;
    }

    public void CompleteControl(long correlationId, byte[] body)
    {
        TaskCompletionSource<byte[]>? completion;
        lock (_controls)
        {
            _controls.Remove(correlationId, out completion);
        }
        completion?.TrySetResult(body);
    }

    public void RemoveControl(long correlationId)
    {
        lock (_controls)
        {
            _controls.Remove(correlationId);
        }
    }

    /// <summary>Fails everything pending, and anything added later, with the exception <paramref name="reason"/> makes.</summary>
    public void FailAll(Func<Exception> reason)
    {
        Volatile.Write(ref _closedReason, reason);
        var calls = new List<PendingCall>();
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate)
            {
                calls.AddRange(stripe.Calls.Values);
                stripe.Calls.Clear();
            }
        }
        TaskCompletionSource<byte[]>[] controls;
        lock (_controls)
        {
            controls = [.. _controls.Values];
            _controls.Clear();
        }
        // Outside the locks: failing a request runs its caller's continuation.
        foreach (var call in calls)
        {
            call.Cancellation.Unregister();
            call.Request.Fail(reason());
        }
        foreach (var completion in controls)
        {
            completion.TrySetException(reason());
        }
    }

    /// <summary>A source for the response-timeout sweeper: takes out the requests past their deadline.</summary>
    public void CollectExpired(long nowTimestamp, List<Request> expired)
    {
        List<PendingCall>? taken = null;
        foreach (var stripe in _stripes)
        {
            lock (stripe.Gate)
            {
                foreach (var (key, call) in stripe.Calls)
                {
                    var request = call.Request;
                    if (request.IsCompleted || (request.DeadlineTimestamp != 0 && request.DeadlineTimestamp < nowTimestamp))
                    {
                        // Removing the current entry while enumerating is allowed for Dictionary.
                        stripe.Calls.Remove(key);
                        (taken ??= []).Add(call);
                    }
                }
            }
        }
        if (taken is null)
        {
            return;
        }
        foreach (var call in taken)
        {
            call.Cancellation.Unregister();
            if (!call.Request.IsCompleted)
            {
                expired.Add(call.Request);
            }
        }
    }

    private Stripe StripeOf(long correlationId) => _stripes[(int)((ulong)correlationId % StripeCount)];

    private static Stripe[] CreateStripes()
    {
        var stripes = new Stripe[StripeCount];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Stripe();
        }
        return stripes;
    }

    private readonly record struct PendingCall(Request Request, CancellationTokenRegistration Cancellation);

    private sealed class Stripe
    {
        public readonly Lock Gate = new();
        public readonly Dictionary<long, PendingCall> Calls = [];
    }
}
