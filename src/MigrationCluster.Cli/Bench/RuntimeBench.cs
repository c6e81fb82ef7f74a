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

        // The sequential shape: one caller, one target.
        progress($"{SequentialShape}: floor, grain calls, grain calls with always-on tracing ({options.Rounds} interleaved rounds)");
        var floorActor = new ChannelActor();
        var sequentialGrain = factory.GetGrain<IBenchGrain>(0);
        Func<int, Task<int>>[][] sequentialCallers = [[sequentialGrain.Ping]];
        var sequential = await MeasureShapeAsync(SequentialShape, [[floorActor.Ping]], sequentialCallers, options).ConfigureAwait(false);
        await floorActor.StopAsync().ConfigureAwait(false);

        // The concurrent shape: many callers spread over many targets (grain keys 1..N, distinct from the sequential shape's).
        progress($"{concurrentShape}: floor, grain calls, grain calls with always-on tracing ({options.Rounds} interleaved rounds)");
        var floorActors = Enumerable.Range(0, options.ConcurrentGrains).Select(_ => new ChannelActor()).ToArray();
        var grains = Enumerable.Range(1, options.ConcurrentGrains).Select(key => factory.GetGrain<IBenchGrain>(key)).ToArray();
        var concurrent = await MeasureShapeAsync(
            concurrentShape,
            Spread(floorActors, options.ConcurrentCallers, a => a.Ping),
            Spread(grains, options.ConcurrentCallers, g => g.Ping),
            options).ConfigureAwait(false);
        await Task.WhenAll(floorActors.Select(a => a.StopAsync())).ConfigureAwait(false);

        return new RuntimeBenchReport(
            [sequential, concurrent],
            MachineInfo.Capture(options));
    }

    /// <summary>The floor, grain calls, and grain calls with always-on tracing, in interleaved rounds.</summary>
    private static async Task<ShapeResult> MeasureShapeAsync(string name, Func<int, Task<int>>[][] floorCallers, Func<int, Task<int>>[][] grainCallers, RuntimeBenchOptions options)
    {
        var results = await CallLoadRunner.RunInterleavedAsync(
            [new LoadCase(floorCallers), new LoadCase(grainCallers), new LoadCase(grainCallers, RecordEveryRuntimeSpan)],
            options.Warmup,
            options.Duration,
            options.Rounds).ConfigureAwait(false);
        return new ShapeResult(name, results[0], results[1], results[2]);
    }

    /// <summary>A listener that records every runtime span and throws it away: tracing always on.</summary>
    private static ActivityListener RecordEveryRuntimeSpan()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryNames.RuntimeActivitySource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>Caller i gets targets i, i + callers, i + 2 * callers, ...</summary>
    private static Func<int, Task<int>>[][] Spread<T>(T[] targets, int callers, Func<T, Func<int, Task<int>>> call) =>
        Enumerable.Range(0, callers)
            .Select(caller => targets.Where((_, index) => index % callers == caller).Select(call).ToArray())
            .ToArray();
}
