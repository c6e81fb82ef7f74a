using MigrationCluster.Runtime.Catalog;

namespace MigrationCluster.Runtime.Timers;

/// <summary>
/// A grain timer. Each tick is a turn of the activation, admitted by the same rules as a request;
/// the next tick is armed only when the previous one has finished, so ticks never overlap.
/// </summary>
internal sealed class GrainTimer : IGrainTimer
{
    private readonly Activation _activation;
    private readonly Func<object?, CancellationToken, Task> _callback;
    private readonly object? _state;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private TimeSpan _dueTime;
    private TimeSpan _period;

    public GrainTimer(Activation activation, Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options, TimeProvider timeProvider)
    {
        if (options.DueTime < TimeSpan.Zero && options.DueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Timer due time must be non-negative (was {options.DueTime}).");
        }
        if (options.Period <= TimeSpan.Zero && options.Period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Timer period must be positive or infinite (was {options.Period}).");
        }
        _activation = activation;
        _callback = callback;
        _state = state;
        Interleave = options.Interleave;
        KeepAlive = options.KeepAlive;
        _dueTime = options.DueTime;
        _period = options.Period;
        _timer = timeProvider.CreateTimer(static s => ((GrainTimer)s!).OnTimerFired(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public bool Interleave { get; }

    public bool KeepAlive { get; }

    public bool IsDisposed => _disposed.IsCancellationRequested;

    internal void Start() => _timer.Change(_dueTime, Timeout.InfiniteTimeSpan);

    private void OnTimerFired()
    {
        if (IsDisposed)
        {
            return;
        }
        var tick = new TimerTickRequest(this) { Target = _activation.GrainId };
        if (!_activation.TryEnqueue(tick))
        {
            Dispose();
        }
    }

    internal Task InvokeCallback() => _callback(_state, _disposed.Token);

    internal void OnTickCompleted()
    {
        if (!IsDisposed && _period != Timeout.InfiniteTimeSpan)
        {
            _timer.Change(_period, Timeout.InfiniteTimeSpan);
        }
    }

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        _dueTime = dueTime;
        _period = period;
        if (!IsDisposed)
        {
            _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }
        _disposed.Cancel();
        _timer.Dispose();
        _activation.OnTimerDisposed(this);
    }
}
