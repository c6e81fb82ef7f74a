using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Cli.Bench;

/// <summary>The grain the runtime benchmark calls: the cheapest possible request/response.</summary>
public interface IBenchGrain : IGrainWithIntegerKey
{
    Task<int> Ping(int value);
}

/// <summary>Answers synchronously, so the benchmark measures the runtime, not the grain.</summary>
public sealed class BenchGrain : Grain, IBenchGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}
