namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What a workload saw. <see cref="StaleReads"/> counts reads that returned something other than
/// the last value written to that page: it must be 0 whatever migrations ran meanwhile.
/// </summary>
public sealed record WorkloadReport(long Accesses, long Reads, long Writes, double TotalLatencyNs, long LocalAccesses, long RemoteAccesses, long Waits, long Errors, long StaleReads)
{
    public double MeanLatencyNs => Accesses == 0 ? 0 : TotalLatencyNs / Accesses;
}
