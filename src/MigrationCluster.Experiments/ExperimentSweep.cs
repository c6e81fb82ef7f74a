using System.Diagnostics;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Memory.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MigrationCluster.Experiments;

/// <summary>
/// Runs a sweep point by point. Each point builds a fresh machine: on embedded silos, a new
/// cluster of that many silos in this process over loopback TCP, started for the point and
/// stopped after it; with <c>--cluster</c>, the running cluster's node and address-space grains,
/// configured afresh by the experiment grain. Every point runs the real <see cref="IExperimentGrain"/>:
/// first touch, the processes moved far, the misplaced pages migrated while the tasks keep running,
/// the invariants checked across all grains.
/// </summary>
public static class ExperimentSweep
{
    /// <summary>
    /// How long a grain call inside an experiment silo may take. Orleans' default (30 s) is
    /// meant for services; on two loaded cores a 1,024-node point's calls queue behind a thousand
    /// running tasks, and a slow point is a result, not a failure.
    /// </summary>
    public static readonly TimeSpan SiloResponseTimeout = TimeSpan.FromMinutes(5);

    private const string GrainKey = "experiment";

    /// <summary>
    /// Runs the points until all are done, one fails, or <paramref name="stop"/> is cancelled
    /// (checked between points: the current point finishes), reporting to <paramref name="progress"/>
    /// if given. <paramref name="pointDone"/> sees the rows so far after each point, so results can
    /// be written as they come (<see cref="ExperimentOutput"/>). With a <paramref name="viewer"/>
    /// each point's cluster is on show while it runs, and the last one is left to the viewer (the
    /// caller disposes it). Bad options throw <see cref="Hosting.UsageException"/> before any point
    /// runs; a point that fails ends the sweep, with the reason in <see cref="ExperimentSweepResult.Error"/>.
    /// </summary>
    public static async Task<ExperimentSweepResult> RunAsync(ExperimentOptions options, IExperimentProgress? progress = null, CancellationToken stop = default, Action<IReadOnlyList<ExperimentPoint>, IReadOnlyList<ExperimentRow>>? pointDone = null, IExperimentViewer? viewer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        progress ??= SilentExperimentProgress.Instance;
        var started = DateTimeOffset.UtcNow;
        if (options.ClusterDirectory is { } directory)
        {
            // Checked before connecting: bad options are a usage error, not a connection failure.
            ExperimentPlan.Build(options, [1]);
            await using var client = await LocalClusterClient.ConnectAsync(directory).ConfigureAwait(false);
            var hosts = await client.GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).ConfigureAwait(false);
            var plan = ExperimentPlan.Build(options, [hosts.Count]);
            if (viewer is not null)
            {
                await viewer.ShowClusterAsync(directory).ConfigureAwait(false);
            }
            return await RunPointsAsync(plan, WarmUp(options, hosts.Count), p => RunOnClusterAsync(client.GrainFactory, directory, p, progress), progress, stop, pointDone, started, grainCalls: false, viewer).ConfigureAwait(false);
        }
        var points = ExperimentPlan.Build(options, options.Silos);
        return await RunPointsAsync(points, WarmUp(options, options.Silos.Max()), p => RunEmbeddedAsync(p, viewer, progress), progress, stop, pointDone, started, grainCalls: true, viewer).ConfigureAwait(false);
    }

    /// <summary>
    /// A small point run first and not recorded, so the first recorded point does not pay for
    /// compiling the code it runs: two nodes on the sweep's largest silo count.
    /// </summary>
    private static ExperimentPoint WarmUp(ExperimentOptions options, int silos)
    {
        var spec = new ExperimentSpec(TopologyMatrix.Ring(2), 128, 2, 16, options.FileFraction, options.Workload, 1, 8, options.WriteFraction, options.Mode, options.Seed, Math.Min(options.Pinned, 16));
        return new ExperimentPoint(0, 2, silos, 0, "ring", spec);
    }

    private static async Task<ExperimentSweepResult> RunPointsAsync(
        IReadOnlyList<ExperimentPoint> points,
        ExperimentPoint warmUp,
        Func<ExperimentPoint, Task<ExperimentRow>> run,
        IExperimentProgress progress,
        CancellationToken stop,
        Action<IReadOnlyList<ExperimentPoint>, IReadOnlyList<ExperimentRow>>? pointDone,
        DateTimeOffset started,
        bool grainCalls,
        IExperimentViewer? viewer)
    {
        var rows = new List<ExperimentRow>();
        var perPoint = true;
        string? error = null;
        progress.Started(points);
        if (!stop.IsCancellationRequested)
        {
            progress.Note($"warming up: {warmUp.Describe().Replace(", repeat 0", "", StringComparison.Ordinal)}, not recorded");
            try
            {
                await run(warmUp).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As below: the sweep ends with one line.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                error = $"the warm-up point ({warmUp.Describe()}) failed: {FailureMessage.Of(exception)}";
                progress.Note(error);
                return new ExperimentSweepResult(points, rows, false, error, perPoint, grainCalls, started, DateTimeOffset.UtcNow);
            }
        }
        foreach (var point in points)
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }
            progress.PointStarted(point);
            if (viewer is not null)
            {
                // The last point's cluster goes before this point's peak memory is measured.
                await viewer.ClosePointAsync().ConfigureAwait(false);
            }
            perPoint &= PeakMemory.Reset();
            try
            {
                var row = await run(point).ConfigureAwait(false);
                rows.Add(row);
                progress.PointFinished(point, row);
            }
#pragma warning disable CA1031 // A failed point ends the sweep with what is done; the command reports it in one line.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                error = $"point {point.Index} ({point.Describe()}) failed: {FailureMessage.Of(exception)}";
                progress.Note(error);
                break;
            }
            pointDone?.Invoke(points, rows);
        }
        var interrupted = error is null && rows.Count < points.Count;
        return new ExperimentSweepResult(points, rows, interrupted, error, perPoint, grainCalls, started, DateTimeOffset.UtcNow);
    }

    private static async Task<ExperimentRow> RunEmbeddedAsync(ExperimentPoint point, IExperimentViewer? viewer, IExperimentProgress progress)
    {
        var watch = Stopwatch.StartNew();
        using var calls = new GrainCallMeter();
        ExperimentResult result;
        long total, crossSilo;
        var cluster = await EmbeddedCluster.StartAsync(point.Silos, viewer is null ? ConfigureSilo : silo => ConfigureSiloFor(silo, viewer)).ConfigureAwait(false);
        try
        {
            if (viewer is not null)
            {
                // The viewer owns the cluster from here: it outlives the point if the point is the last.
                await viewer.ShowPointAsync(cluster).ConfigureAwait(false);
            }
            calls.Reset();
            await using (FollowSetUp(cluster.GrainFactory, point, progress))
            {
                result = await cluster.GrainFactory.GetGrain<IExperimentGrain>(GrainKey).Run(point.Spec).ConfigureAwait(false);
            }
            (total, crossSilo) = (calls.Calls, calls.CrossSiloCalls);
        }
        finally
        {
            if (viewer is null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }
        }
        return ToRow(point, result, total, crossSilo, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>
    /// A point on a cluster of its own processes, watched as <c>run --cluster</c> is: a silo lost
    /// during the point ends it with one line; the point's run is leased, so the cluster abandons
    /// it when this client is gone.
    /// </summary>
    private static async Task<ExperimentRow> RunOnClusterAsync(IGrainFactory grains, string directory, ExperimentPoint point, IExperimentProgress progress)
    {
        var watch = Stopwatch.StartNew();
        var experiment = grains.GetGrain<IExperimentGrain>(GrainKey);
        var spec = point.Spec with { ClientLease = ClusterWatch.ClientLease(directory) };
        ExperimentResult result;
        await using (FollowSetUp(grains, point, progress))
        {
            result = await ClusterWatch.WhileSilosLiveAsync(directory, grains, () => experiment.Run(spec), renew: experiment.Renew).ConfigureAwait(false);
        }
        return ToRow(point, result, null, null, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The point's set-up phases, from its cluster's machine monitor, to the progress while the point runs.</summary>
    private static SetUpProgressLine FollowSetUp(IGrainFactory grains, ExperimentPoint point, IExperimentProgress progress) =>
        SetUpProgressLine.Follow(grains, (setUp, elapsed) => progress.SettingUp(point, setUp, elapsed), TimeProvider.System, SetUpProgressLine.DefaultShowAfter);

    /// <summary>
    /// What every experiment silo adds to the embedded defaults: grain-call counting, a longer
    /// call timeout, and no runtime log lines between the progress lines (stopping a cluster
    /// after each point logs directory hand-offs to silos already gone; a point that fails is
    /// reported by its exception).
    /// </summary>
    public static void ConfigureSilo(ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddGrainCallCounting();
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = SiloResponseTimeout);
        silo.Services.AddLogging(logging => logging.AddFilter("Orleans", LogLevel.Critical));
    }

    /// <summary>
    /// <see cref="ConfigureSilo"/> plus what the viewer needs (the grain side of Orleans'
    /// dashboard: its call filter times every grain call, so it is added only when a viewer will look).
    /// </summary>
    private static void ConfigureSiloFor(ISiloBuilder silo, IExperimentViewer viewer)
    {
        ConfigureSilo(silo);
        viewer.ConfigureSilo(silo);
    }

    private static ExperimentRow ToRow(ExperimentPoint point, ExperimentResult result, long? calls, long? crossSilo, double pointMs) => new()
    {
        Nodes = point.Nodes,
        Silos = point.Silos,
        FolioSize = FolioSizes.Name(point.Spec.FolioOrder),
        Repeat = point.Repeat,
        Seed = point.Seed,
        Topology = point.Topology,
        AddressSpaces = result.AddressSpaces,
        PagesMapped = result.PagesMapped,
        PagesToMigrate = result.PagesToMigrate,
        Migrated = result.Migration.Succeeded,
        PagesMigrated = result.Migration.VmEvents.PgmigrateSuccess,
        Failed = result.Migration.Failed,
        Retried = result.Migration.Retried,
        Passes = result.Migration.Passes,
        MigrationMs = result.MigrationMs,
        LatencyBeforeNs = result.Before.MeanLatencyNs,
        LatencyDuringNs = result.During.MeanLatencyNs,
        LatencyAfterNs = result.After.MeanLatencyNs,
        LocalFractionBefore = Fraction(result.Before.LocalAccesses, result.Before.Accesses),
        LocalFractionAfter = Fraction(result.After.LocalAccesses, result.After.Accesses),
        DuringAccesses = result.During.Accesses,
        DuringWaits = result.During.Waits,
        GrainCalls = calls,
        CrossSiloCalls = crossSilo,
        PeakMemoryMb = PeakMemory.PeakMb(),
        InvariantViolations = result.Invariants.Total,
        PointMs = pointMs,
        Steps = result.Migration.StepLatencies,
        SimMigrationNs = result.Migration.SimulatedNs,
        TlbShootdowns = result.Migration.TlbShootdowns,
        TlbIpis = result.Migration.TlbIpis,
        Machine = point.Machine,
        Protocol = point.Protocol,
        DuringSleepNs = result.During.SleepNs,
        SimSteps = result.Migration.StepSimulatedTimes,
    };

    private static double Fraction(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
