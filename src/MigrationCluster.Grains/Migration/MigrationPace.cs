namespace MigrationCluster.Grains.Migration;

/// <summary>
/// Holds one migrate_pages call on the host to at most a number of pages per second of wall time,
/// so that a person, or a test, can watch it go by on the dashboard. It changes how fast the host
/// runs the simulation, never what is simulated. The rate rides along the call in Orleans'
/// <see cref="RequestContext"/>, as the trace context does, rather than widening the protocol's
/// contract with a setting that is about the host.
/// </summary>
internal sealed class MigrationPace
{
    /// <summary>The request-context entry: pages per second of wall time (a double above 0).</summary>
    public const string RequestContextKey = "mc.pace";

    /// <summary>The longest wait a timer takes (Task.Delay's limit is about 49.7 days).</summary>
    private const double MaxWaitSeconds = 40 * 24 * 3600;

    private readonly TimeProvider _time;
    private readonly double _pagesPerSecond;
    private readonly long _started;
    private readonly CancellationToken _cancellation;
    private long _pages;

    private MigrationPace(TimeProvider time, double pagesPerSecond, CancellationToken cancellation)
    {
        _time = time;
        _pagesPerSecond = pagesPerSecond;
        _started = time.GetTimestamp();
        _cancellation = cancellation;
    }

    /// <summary>The pace the caller asked for, or null when it asked for none; a wait ends early when the caller cancels the call.</summary>
    public static MigrationPace? FromRequestContext(TimeProvider time, CancellationToken cancellation = default) =>
        RequestContext.Get(RequestContextKey) is double rate && double.IsFinite(rate) && rate > 0 ? new MigrationPace(time, rate, cancellation) : null;

    /// <summary>
    /// Counts <paramref name="pages"/> more and waits until they are within the pace. The batch is
    /// charged before it starts: a call of a single batch (a source node's few hundred pages) is
    /// held too, not let through at once as a first batch would be if only earlier pages counted.
    /// </summary>
    public Task BeforeBatch(int pages)
    {
        _pages += pages;
        // In seconds as a double: a slow pace over many pages is past what a TimeSpan holds. A wait
        // is at most what a timer takes; the next batch waits for the rest.
        var wait = (_pages / _pagesPerSecond) - _time.GetElapsedTime(_started).TotalSeconds;
        return wait > 0 ? Task.Delay(TimeSpan.FromSeconds(Math.Min(wait, MaxWaitSeconds)), _time, _cancellation) : Task.CompletedTask;
    }
}
