using MigrationCluster.Grains.Migration;
using System.Diagnostics;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Hosting.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;
using MigrationCluster.Experiments;
using MigrationCluster.Experiments.Engines;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// <c>bench migration</c>: the same migration (every page from its node to the next, every step,
/// no accessors) on the in-process model, on grains on one silo, on grains on three silos over
/// loopback TCP, and on one silo with every span recorded; in interleaved rounds so a drifting
/// host slows all alike; with Orleans' ping rate, local and remote, as the floor of a grain call.
/// </summary>
public static class MigrationBench
{
    public const int PingCallers = 64;

    public static async Task<MigrationBenchResult> RunAsync(MigrationBenchOptions options, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        options.Validate();

        progress($"building the model and two clusters ({options.Pages:N0} pages on {options.Nodes} nodes each)");
        var model = new ModelMigrationEngine(options.Pages, options.Nodes, options.Machine, options.Protocol);
        await using var oneSilo = await GrainMigrationEngine.StartAsync(1, options.Pages, options.Nodes, options.Machine, options.Protocol);
        await using var threeSilos = await GrainMigrationEngine.StartAsync(3, options.Pages, options.Nodes, options.Machine, options.Protocol);
        using var calls = new GrainCallMeter();

        // Rounds first that are not recorded: until the JIT has settled, a round pays for compiling
        // its code (tiered compilation recompiles hot methods, with profile guidance, over the
        // first seconds); here the grain rounds went from a third of their settled rate to it over
        // about 15 seconds of rounds.
        progress($"warm-up: at least {MigrationBenchOptions.WarmUpRounds} rounds and {options.WarmUp.TotalSeconds:N0} s (not recorded)");
        var warmUp = Stopwatch.StartNew();
        var warmUpRounds = 0;
        for (; warmUpRounds < MigrationBenchOptions.WarmUpRounds || warmUp.Elapsed < options.WarmUp; warmUpRounds++)
        {
            await RoundAsync(model, oneSilo, threeSilos, calls, traced: warmUpRounds == 0);
        }

        var rounds = new List<RoundFigures>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var figures = await RoundAsync(model, oneSilo, threeSilos, calls, traced: true);
            rounds.Add(figures);
            progress($"round {round}/{options.Rounds}: model {figures.Model.PagesPerS:N0}, one silo {figures.OneSilo.PagesPerS:N0}, three silos {figures.ThreeSilos.PagesPerS:N0}, one silo traced {figures.OneSiloTraced.PagesPerS:N0} pages/s");
        }

        progress("ping floors");
        var local = await oneSilo.PingAsync(remote: false, PingCallers, MigrationBenchOptions.PingDuration);
        var remote = await threeSilos.PingAsync(remote: true, PingCallers, MigrationBenchOptions.PingDuration);

        var modelRate = Median(rounds.Select(r => r.Model.PagesPerS));
        var oneRate = Median(rounds.Select(r => r.OneSilo.PagesPerS));
        var tracedRate = Median(rounds.Select(r => r.OneSiloTraced.PagesPerS));
        var migrated = rounds[^1].OneSilo.Migrated;
        var spansPerPage = Median(rounds.Select(r => r.Spans / (double)Math.Max(1, r.OneSiloTraced.Migrated)));
        return new MigrationBenchResult(
            options.Pages,
            options.Nodes,
            options.Rounds,
            warmUpRounds,
            Figures(rounds, r => r.Model, modelRate),
            Figures(rounds, r => r.OneSilo, modelRate) with
            {
                GrainCallsPerPage = Median(rounds.Select(r => r.OneSiloCalls / (double)Math.Max(1, r.OneSilo.Migrated))),
                BytesAllocatedPerPage = Median(rounds.Select(r => r.OneSiloBytes / (double)Math.Max(1, r.OneSilo.Migrated))),
            },
            Figures(rounds, r => r.ThreeSilos, modelRate) with
            {
                GrainCallsPerPage = Median(rounds.Select(r => r.ThreeSiloCalls / (double)Math.Max(1, r.ThreeSilos.Migrated))),
                CrossSiloCallsPerPage = Median(rounds.Select(r => r.ThreeSiloCrossCalls / (double)Math.Max(1, r.ThreeSilos.Migrated))),
            },
            Figures(rounds, r => r.OneSiloTraced, modelRate) with
            {
                SpansPerPage = spansPerPage,
                // What recording a span adds: the traced round's extra time per page, over its spans per page.
                NsPerSpan = spansPerPage > 0 ? ((1e9 / tracedRate) - (1e9 / oneRate)) / spansPerPage : null,
            },
            new PingFigures(local.Concurrent, remote.Concurrent, local.Sequential, remote.Sequential, PingCallers),
            Scale: null,
            MachineInfo.Capture(),
            Simulated(rounds[^1]));
    }

    private static SimulatedBenchFigures Simulated(RoundFigures round)
    {
        var ns = round.OneSiloSimulatedNs;
        var pages = round.OneSilo.Migrated;
        return new SimulatedBenchFigures(ns, ns <= 0 ? 0 : pages * 1e9 / ns, ns <= 0 ? 0 : pages * 4096.0 / ns, round.OneSiloTlbShootdowns, round.ModelSimulatedNs, round.ThreeSilosSimulatedNs);
    }

    /// <summary>The same migration once on every engine, in the same order every round (the traced one last, if at all).</summary>
    private static async Task<RoundFigures> RoundAsync(ModelMigrationEngine model, GrainMigrationEngine oneSilo, GrainMigrationEngine threeSilos, GrainCallMeter calls, bool traced)
    {
        var figures = new RoundFigures();
        figures.Model = await model.MigrateRoundAsync();
        figures.ModelSimulatedNs = model.LastRoundSimulatedNs;

        calls.Reset();
        figures.OneSilo = await oneSilo.MigrateRoundAsync();
        figures.OneSiloBytes = oneSilo.LastRoundAllocatedBytes;
        figures.OneSiloCalls = calls.Calls;
        figures.OneSiloSimulatedNs = oneSilo.LastRoundSimulatedNs;
        figures.OneSiloTlbShootdowns = oneSilo.LastRoundTlbShootdowns;

        calls.Reset();
        figures.ThreeSilos = await threeSilos.MigrateRoundAsync();
        figures.ThreeSiloCalls = calls.Calls;
        figures.ThreeSiloCrossCalls = calls.CrossSiloCalls;
        figures.ThreeSilosSimulatedNs = threeSilos.LastRoundSimulatedNs;

        if (!traced)
        {
            return figures;
        }
        using (var spans = new SpanCounter())
        using (Sdk.CreateTracerProviderBuilder().AddSource([.. TelemetrySources.Default]).SetSampler(new AlwaysOnSampler()).AddProcessor(spans).Build())
        {
            // Every span: the per-page ones too (a run records one span per step and batch unless --trace-pages).
            RequestContext.Set(MigrationTelemetry.TracePagesContextKey, true);
            try
            {
                figures.OneSiloTraced = await oneSilo.MigrateRoundAsync();
            }
            finally
            {
                RequestContext.Remove(MigrationTelemetry.TracePagesContextKey);
            }
            figures.Spans = spans.Count;
        }
        return figures;
    }

    private static EngineFigures Figures(List<RoundFigures> rounds, Func<RoundFigures, (double PagesPerS, long Migrated)> of, double modelRate)
    {
        var rate = Median(rounds.Select(r => of(r).PagesPerS));
        return new EngineFigures(rate, rate / modelRate, of(rounds[^1]).Migrated, null, null, null, null, null, [.. rounds.Select(r => of(r).PagesPerS)]);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class RoundFigures
    {
        public (double PagesPerS, long Migrated) Model { get; set; }
        public (double PagesPerS, long Migrated) OneSilo { get; set; }
        public (double PagesPerS, long Migrated) ThreeSilos { get; set; }
        public (double PagesPerS, long Migrated) OneSiloTraced { get; set; }
        public long OneSiloBytes { get; set; }
        public long OneSiloCalls { get; set; }
        public long ThreeSiloCalls { get; set; }
        public long ThreeSiloCrossCalls { get; set; }
        public long Spans { get; set; }
        public long ModelSimulatedNs { get; set; }
        public long OneSiloSimulatedNs { get; set; }
        public long OneSiloTlbShootdowns { get; set; }
        public long ThreeSilosSimulatedNs { get; set; }
    }

    /// <summary>Counts every span that ends, exporting nothing: the cost measured is recording spans.</summary>
    private sealed class SpanCounter : BaseProcessor<Activity>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override void OnEnd(Activity data) => Interlocked.Increment(ref _count);
    }
}
