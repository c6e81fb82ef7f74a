namespace MigrationCluster.Memory.Migration;

/// <summary>One protocol step's simulated duration in each batch of a migration, in nanoseconds, in batch order.</summary>
public sealed record StepSimulatedTimes(int Step, string Name, long[] BatchNs)
{
    public long TotalNs => BatchNs.Sum();

    public long P50Ns => Percentile(0.50);

    public long P99Ns => Percentile(0.99);

    /// <summary>The nearest-rank percentile of one batch's duration (0 for none).</summary>
    public long Percentile(double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        if (BatchNs.Length == 0)
        {
            return 0;
        }
        long[] sorted = [.. BatchNs];
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
