namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// A ring of one-second buckets of pages migrated and failed, the last <see cref="Seconds"/>
/// seconds of them: adding to a second older than that is dropped, a newer second clears the
/// buckets it skips.
/// </summary>
internal sealed class RateHistory
{
    private readonly long[] _migrated;
    private readonly long[] _failed;
    private long _end = long.MinValue;

    public RateHistory(int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        _migrated = new long[seconds];
        _failed = new long[seconds];
    }

    public int Seconds => _migrated.Length;

    public void Add(long unixSecond, long migrated, long failed)
    {
        if (_end == long.MinValue)
        {
            _end = unixSecond;
        }
        if (unixSecond > _end)
        {
            var skipped = Math.Min(unixSecond - _end, Seconds);
            for (var s = unixSecond - skipped + 1; s <= unixSecond; s++)
            {
                _migrated[Slot(s)] = 0;
                _failed[Slot(s)] = 0;
            }
            _end = unixSecond;
        }
        if (unixSecond <= _end - Seconds)
        {
            return;
        }
        _migrated[Slot(unixSecond)] += migrated;
        _failed[Slot(unixSecond)] += failed;
    }

    /// <summary>The window ending at <paramref name="nowUnixSecond"/> (seconds with nothing recorded are 0).</summary>
    public MigrationRate Snapshot(long nowUnixSecond)
    {
        var migrated = new long[Seconds];
        var failed = new long[Seconds];
        for (var i = 0; i < Seconds; i++)
        {
            var second = nowUnixSecond - (Seconds - 1) + i;
            if (_end != long.MinValue && second <= _end && second > _end - Seconds)
            {
                migrated[i] = _migrated[Slot(second)];
                failed[i] = _failed[Slot(second)];
            }
        }
        return new MigrationRate(nowUnixSecond, migrated, failed);
    }

    private int Slot(long unixSecond) => (int)(((unixSecond % Seconds) + Seconds) % Seconds);
}
