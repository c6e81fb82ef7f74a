using System.Diagnostics;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// <c>bench runtime</c>: grain calls through the runtime against a floor of bare channel actors,
/// in two shapes (one sequential caller; many concurrent callers over many grains), with
/// tracing off and with an always-on sampler.
/// </summary>
public static class RuntimeBench
{
    public const string SequentialShape = "sequential";

    public static async Task<RuntimeBenchReport> RunAsync(RuntimeBenchOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        progress ??= _ => { };
        var concurrentShape = $"concurrent_{options.ConcurrentCallers}x{options.ConcurrentGrains}";

        await using var silo = new SiloBuilder().AddGrains(typeof(BenchGrain).Assembly).Build();
        var factory = silo.GrainFactory;

        progress($"{SequentialShape}: floor");
        var floorActor = new ChannelActor();
        var sequentialFloor = await CallLoadRunner.RunAsync([[floorActor.Ping]], options.Warmup, options.Duration).ConfigureAwait(false);
        await floorActor.StopAsync().ConfigureAwait(false);

        var sequentialGrain = factory.GetGrain<IBenchGrain>(0);
        Func<int, Task<int>>[][] sequentialCallers = [[sequentialGrain.Ping]];
        progress($"{SequentialShape}: grain calls");
        var sequentialUntraced = await CallLoadRunner.RunAsync(sequentialCallers, options.Warmup, options.Duration).ConfigureAwait(false);
        progress($"{SequentialShape}: grain calls, always-on tracing");
        var sequentialTraced = await RunTracedAsync(sequentialCallers, options).ConfigureAwait(false);

        progress($"{concurrentShape}: floor");
        var floorActors = Enumerable.Range(0, options.ConcurrentGrains).Select(_ => new ChannelActor()).ToArray();
        var concurrentFloor = await CallLoadRunner.RunAsync(Spread(floorActors, options.ConcurrentCallers, a => a.Ping), options.Warmup, options.Duration).ConfigureAwait(false);
        await Task.WhenAll(floorActors.Select(a => a.StopAsync())).ConfigureAwait(false);

        // Keys 1..N: distinct from the sequential shape's grain.
        var grains = Enumerable.Range(1, options.ConcurrentGrains).Select(key => factory.GetGrain<IBenchGrain>(key)).ToArray();
        var concurrentCallers = Spread(grains, options.ConcurrentCallers, g => g.Ping);
        progress($"{concurrentShape}: grain calls");
        var concurrentUntraced = await CallLoadRunner.RunAsync(concurrentCallers, options.Warmup, options.Duration).ConfigureAwait(false);
        progress($"{concurrentShape}: grain calls, always-on tracing");
        var concurrentTraced = await RunTracedAsync(concurrentCallers, options).ConfigureAwait(false);

        return new RuntimeBenchReport(
            [
                new ShapeResult(SequentialShape, sequentialFloor, sequentialUntraced, sequentialTraced),
                new ShapeResult(concurrentShape, concurrentFloor, concurrentUntraced, concurrentTraced),
            ],
            MachineInfo.Capture(options));
    }

    /// <summary>Runs the case with a listener that records every runtime span and throws it away.</summary>
    private static async Task<CaseResult> RunTracedAsync(Func<int, Task<int>>[][] callers, RuntimeBenchOptions options)
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.RuntimeActivitySource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return await CallLoadRunner.RunAsync(callers, options.Warmup, options.Duration).ConfigureAwait(false);
    }

    /// <summary>Caller i gets targets i, i + callers, i + 2 * callers, ...</summary>
    private static Func<int, Task<int>>[][] Spread<T>(T[] targets, int callers, Func<T, Func<int, Task<int>>> call) =>
        Enumerable.Range(0, callers)
            .Select(caller => targets.Where((_, index) => index % callers == caller).Select(call).ToArray())
            .ToArray();
}
