using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Hosting;

namespace MigrationCluster.Benchmarks;

public interface IPingGrain : IGrainWithIntegerKey
{
    Task<int> Ping(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}

/// <summary>
/// One sequential grain call against the floor the runtime is judged by: a bare actor with a
/// channel mailbox answering through a TaskCompletionSource (the ratio is the goal, not the time).
/// `dotnet run -c Release --project tests/MigrationCluster.Benchmarks -- --filter *GrainCall*`
/// </summary>
[MemoryDiagnoser]
public class GrainCallBenchmarks
{
    private Silo _silo = null!;
    private IPingGrain _grain = null!;
    private Channel<(int Value, TaskCompletionSource<int> Reply)> _mailbox = null!;
    private Task _actor = null!;

    [GlobalSetup]
    public void Setup()
    {
        _silo = new SiloBuilder().AddGrains(typeof(PingGrain).Assembly).Build();
        _grain = _silo.GrainFactory.GetGrain<IPingGrain>(1);
        _grain.Ping(0).GetAwaiter().GetResult();
        _mailbox = Channel.CreateUnbounded<(int, TaskCompletionSource<int>)>(new UnboundedChannelOptions { SingleReader = true });
        _actor = Task.Run(async () =>
        {
            await foreach (var (value, reply) in _mailbox.Reader.ReadAllAsync())
            {
                reply.SetResult(value + 1);
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _mailbox.Writer.Complete();
        _actor.GetAwaiter().GetResult();
        _silo.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public Task<int> ChannelActorFloor()
    {
        var reply = new TaskCompletionSource<int>();
        _mailbox.Writer.TryWrite((1, reply));
        return reply.Task;
    }

    [Benchmark]
    public Task<int> GrainCall() => _grain.Ping(1);
}
