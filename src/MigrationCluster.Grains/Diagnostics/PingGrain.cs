using MigrationCluster.Grains.Placement;

namespace MigrationCluster.Grains.Diagnostics;

/// <summary>Placed like NUMA node k, so a benchmark can ping a grain on a chosen silo.</summary>
[NumaNodePlacement]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}
