namespace MigrationCluster.Runtime.Tests.Grains;

/// <summary>Counts how many calls are inside a grain at once.</summary>
public sealed class ConcurrencyProbe
{
    private int _inside;
    private int _max;

    public int Max => Volatile.Read(ref _max);

    public async Task<T> Measure<T>(Func<Task<T>> body)
    {
        var now = Interlocked.Increment(ref _inside);
        int seen;
        while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }
        try
        {
            return await body();
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}
