using Orleans.Concurrency;

namespace MigrationCluster.Grains.Diagnostics;

/// <summary>Answers on the gateway silo itself (see <see cref="IGatewayProbeGrain"/>).</summary>
[StatelessWorker]
public sealed class GatewayProbeGrain : Grain, IGatewayProbeGrain
{
    public Task<int> Probe(int value) => Task.FromResult(value + 1);
}
