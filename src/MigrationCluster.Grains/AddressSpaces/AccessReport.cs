using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// One access by a task: the page it reached, the contents it saw, its simulated latency, and
/// how many times it slept on a page lock (a migration entry or a locked page) before it got there.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.AccessReport")]
public readonly record struct AccessReport(int Errno, PageRef Page, ulong Value, double LatencyNs, int Waits);
