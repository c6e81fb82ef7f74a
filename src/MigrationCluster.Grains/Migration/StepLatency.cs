namespace MigrationCluster.Grains.Migration;

/// <summary>
/// Wall-clock time a protocol step took over a whole migration: its batches, their total and
/// mean, and the median and 99th percentile of one batch's time in the step (nearest rank).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.StepLatency")]
public sealed record StepLatency(int Step, string Name, int Batches, double TotalMs, double P50Ms = 0, double P99Ms = 0)
{
    public double MeanMs => Batches == 0 ? 0 : TotalMs / Batches;

    /// <summary>The step's figures from each batch's duration in milliseconds.</summary>
    public static StepLatency FromBatches(int step, string name, IReadOnlyList<double> batchMs)
    {
        ArgumentNullException.ThrowIfNull(batchMs);
        var sorted = batchMs.Order().ToArray();
        return new StepLatency(step, name, sorted.Length, sorted.Sum(), Percentile(sorted, 0.50), Percentile(sorted, 0.99));
    }

    /// <summary>The nearest-rank percentile of ascending <paramref name="sorted"/> values (0 for none).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1);
        if (sorted.Count == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
