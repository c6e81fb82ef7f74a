namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What a workload saw. <see cref="StaleReads"/> counts reads that returned something other than
/// the last value written to that page: it must be 0 whatever migrations ran meanwhile.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.WorkloadReport")]
public sealed record WorkloadReport(long Accesses, long Reads, long Writes, double TotalLatencyNs, long LocalAccesses, long RemoteAccesses, long Waits, long Errors, long StaleReads)
{
    public static readonly WorkloadReport Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public double MeanLatencyNs => Accesses == 0 ? 0 : TotalLatencyNs / Accesses;

    /// <summary>Two tasks' (or two processes') reports as one.</summary>
    public static WorkloadReport Combine(WorkloadReport a, WorkloadReport b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new WorkloadReport(
            a.Accesses + b.Accesses, a.Reads + b.Reads, a.Writes + b.Writes, a.TotalLatencyNs + b.TotalLatencyNs,
            a.LocalAccesses + b.LocalAccesses, a.RemoteAccesses + b.RemoteAccesses, a.Waits + b.Waits, a.Errors + b.Errors, a.StaleReads + b.StaleReads);
    }
}
