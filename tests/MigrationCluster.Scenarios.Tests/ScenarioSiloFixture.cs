using MigrationCluster.Hosting.Embedded;
using Orleans;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>One embedded silo for the scenario tests on grains (<see cref="ScenarioSiloCollection"/>): every scenario reconfigures the grains it uses.</summary>
public sealed class ScenarioSiloFixture : IAsyncLifetime
{
    private EmbeddedCluster? _cluster;

    public IGrainFactory Grains => (_cluster ?? throw new InvalidOperationException("the silo has not started")).GrainFactory;

    public async Task InitializeAsync() => _cluster = await EmbeddedCluster.StartAsync(1);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
