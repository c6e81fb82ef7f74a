namespace MigrationCluster.Runtime.Messaging;

/// <summary>
/// "Now" for call deadlines without a clock read per call: a timestamp refreshed once per
/// response-timeout check period. The sweeper only looks at deadlines once per period, so a
/// deadline cannot be enforced more precisely than that anyway. The clock answers with the end
/// of the current period (the last refresh plus one period), so a deadline is never earlier than
/// an exact one would be: a call times out between its timeout and its timeout plus two periods.
/// The timer stops itself after a period in which nobody asked, so an idle silo pays nothing and
/// the clock needs no disposal.
/// </summary>
internal sealed class CoarseDeadlineClock
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _period;
    private readonly long _periodTicks;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    // The end of the current period as a TimeProvider timestamp; 0 while the timer is stopped.
    private long _periodEnd;
    private bool _askedSinceRefresh;

    public CoarseDeadlineClock(TimeProvider timeProvider, TimeSpan period)
    {
        _timeProvider = timeProvider;
        _period = period;
        _periodTicks = (long)(period.TotalSeconds * timeProvider.TimestampFrequency);
        _timer = timeProvider.CreateTimer(static s => ((CoarseDeadlineClock)s!).Refresh(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A <see cref="TimeProvider"/> timestamp no earlier than now, and at most one period (plus timer lateness) later.</summary>
    public long GetTimestamp()
    {
        var periodEnd = Volatile.Read(ref _periodEnd);
        if (periodEnd == 0)
        {
            return Start();
        }
        // Written once per period, not per call: concurrent callers only read this cache line.
        if (!_askedSinceRefresh)
        {
            _askedSinceRefresh = true;
        }
        return periodEnd;
    }

    private long Start()
    {
        lock (_lock)
        {
            if (_periodEnd == 0)
            {
                Volatile.Write(ref _periodEnd, _timeProvider.GetTimestamp() + _periodTicks);
                _askedSinceRefresh = true;
                _timer.Change(_period, _period);
            }
            return _periodEnd;
        }
    }

    private void Refresh()
    {
        lock (_lock)
        {
            if (_askedSinceRefresh)
            {
                _askedSinceRefresh = false;
                Volatile.Write(ref _periodEnd, _timeProvider.GetTimestamp() + _periodTicks);
            }
            else
            {
                // Nobody needed the time for a whole period: stop until the next call asks.
                Volatile.Write(ref _periodEnd, 0);
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }
}
