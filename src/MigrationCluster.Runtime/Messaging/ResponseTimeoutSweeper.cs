using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>
/// Fails calls whose deadline has passed with a <see cref="TimeoutException"/> naming the grain
/// and method. One periodic sweep over the pending requests instead of a timer per call keeps the
/// call path cheap; a timeout fires up to one check period late.
/// </summary>
internal sealed class ResponseTimeoutSweeper : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly Func<Request, TimeSpan> _timeoutOf;
    private readonly List<Action<long, List<Request>>> _sources = [];
    private readonly ITimer _timer;
    private readonly List<Request> _expired = [];
    private int _sweeping;

    public ResponseTimeoutSweeper(TimeProvider timeProvider, TimeSpan period, Func<Request, TimeSpan> timeoutOf)
    {
        _timeProvider = timeProvider;
        _timeoutOf = timeoutOf;
        _timer = timeProvider.CreateTimer(static s => ((ResponseTimeoutSweeper)s!).Sweep(), this, period, period);
    }

    /// <summary>Adds a place where pending requests wait (the catalog's activations, a connection's calls).</summary>
    public void AddSource(Action<long, List<Request>> collectExpired)
    {
        lock (_sources)
        {
            _sources.Add(collectExpired);
        }
    }

    public void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }
        try
        {
            var now = _timeProvider.GetTimestamp();
            _expired.Clear();
            lock (_sources)
            {
                foreach (var source in _sources)
                {
                    source(now, _expired);
                }
            }
            foreach (var request in _expired)
            {
                request.Fail(new TimeoutException(
                    $"Response did not arrive on time in {_timeoutOf(request)} for {request.Method.FullName} on grain {request.Target}" +
                    (request.Sender.IsDefault ? "." : $" (called by {request.Sender}).")));
            }
            _expired.Clear();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
