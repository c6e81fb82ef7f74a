using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;
using OpenTelemetry.Trace;
using Orleans;

namespace MigrationCluster.Experiments;

/// <summary>Builds the experiment from the options, runs it on the embedded cluster or on a local cluster of silo processes, and returns what it measured.</summary>
public static class ExperimentRunner
{
    /// <summary>The experiment grain every run goes through: runs on one cluster, from any client, go one at a time.</summary>
    public const string GrainKey = "run";

    /// <summary>
    /// Checks the options and turns them into a spec; bad input throws <see cref="UsageException"/>.
    /// <paramref name="checkServices"/> checks what the caller serves beside the run (the
    /// command's dashboard), after the machine's options and before the spec's.
    /// </summary>
    /// <summary><c>--folio-size</c>: the order of a size text (null: 0, base pages); a bad size is a one-line usage error.</summary>
    public static int FolioOrder(string? size, int basePageBytes)
    {
        if (size is null)
        {
            return 0;
        }
        var (order, problem) = FolioSizes.Order(size, basePageBytes);
        return problem is null ? order : throw new UsageException($"--folio-size: {problem}");
    }

    /// <summary><c>experiment --folio-size 4K,64K,2M</c>: the folio orders in the order given; a size given twice is refused, as a node count is.</summary>
    public static IReadOnlyList<int> FolioOrders(string? sizes, int basePageBytes)
    {
        int[] orders = [.. (sizes ?? "4K").Split(',', StringSplitOptions.TrimEntries).Select(s => FolioOrder(s, basePageBytes))];
        return orders.Distinct().Count() == orders.Length ? orders : throw new UsageException($"--folio-size '{sizes}' names a size twice");
    }

    public static ExperimentSpec BuildSpec(RunOptions options, Action? checkServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        int[][] distances;
        var machine = options.Machine is { } name ? Machines.MachinePresets.Resolve(name) : null;
        if (options.TopologyFile is { } file)
        {
            if (options.NodesGiven)
            {
                throw new UsageException($"--topology {file} fixes the node count: leave out --nodes");
            }
            string text;
            try
            {
                text = InputFile.ReadAllText(file, "--topology", InputFile.MaxTopologyBytes);
            }
            catch (UnusablePathException exception)
            {
                throw new UsageException(exception.Message, exception);
            }
            try
            {
                distances = TopologyMatrix.From(NumaTopology.ParseNumactlHardware(text));
            }
            catch (TopologyFormatException exception)
            {
                throw new UsageException($"--topology {file}: {exception.Message}");
            }
            // The machine's own latencies cost the run; the topology file must describe the same nodes.
            machine?.RequireNodes(distances.Length, $"--topology {file}");
        }
        else if (machine is not null)
        {
            if (options.NodesGiven)
            {
                machine.RequireNodes(options.Nodes, "--nodes");
            }
            distances = machine.Profile.Distances();
        }
        else
        {
            if (options.Nodes is < 2 or > 1024)
            {
                throw new UsageException($"--nodes must be between 2 and 1024 (was {options.Nodes})");
            }
            distances = TopologyMatrix.Ring(options.Nodes);
        }
        if (options.Silos is < 1 or > 16)
        {
            throw new UsageException($"--silos must be between 1 and 16 (was {options.Silos})");
        }
        if (options.Pace is { } pace && !(double.IsFinite(pace) && pace > 0))
        {
            throw new UsageException($"--pace must be a number of pages per second above 0 (was {pace.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
        if (options.Pace < RunOptions.MinPace)
        {
            throw new UsageException($"--pace must be at least {RunOptions.MinPace.ToString(System.Globalization.CultureInfo.InvariantCulture)} pages per second, a page every 1,000 s (was {options.Pace.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
        if (options.ClusterDirectory is { } cluster && !Directory.Exists(cluster))
        {
            throw new UsageException($"--cluster: no such directory '{cluster}' (start a cluster with 'migration-cluster cluster start --silos N --state-dir DIR')");
        }
        if (options.ClusterDirectory is { } running)
        {
            LocalClusterClient.RequireRunningSiloAsync(running).GetAwaiter().GetResult();
        }
        // The caller's own checks (a dashboard's port) before the spec's, and before any silo starts.
        checkServices?.Invoke();
        var nodes = distances.Length;
        var frames = options.FramesPerNode ?? Math.Max(64, (int)Math.Min(int.MaxValue, 4L * options.AddressSpaces * options.Pages / nodes + 64));
        var spec = new ExperimentSpec(distances, frames, options.AddressSpaces, options.Pages, options.FileFraction, options.Workload,
            options.Tasks, options.Accesses, options.WriteFraction, options.Mode, options.Seed, options.Pinned,
            PacePagesPerSecond: options.Pace ?? 0, Schedule: options.Schedule,
            Machine: machine?.Profile, Protocol: options.Protocol, FolioOrder: FolioOrder(options.FolioSize, machine?.Profile.PageSize ?? FolioSizes.DefaultBasePageBytes));
        if (machine is not null)
        {
            // Tasks' accesses cost the machine's local latency times the derived distance / 10.
            spec = spec with { LocalAccessNs = machine.Profile.LatencyNs[0][0] };
        }
        if (spec.Validate() is { } problem)
        {
            throw new UsageException(problem);
        }
        return spec;
    }

    /// <summary>
    /// Runs the experiment on the silos this process hosts (one, or <c>--silos N</c> over loopback
    /// TCP), or on a local cluster (<c>--cluster DIR</c>), tracing to the exporters <c>--trace</c>
    /// names, and hands the result to <paramref name="report"/> as soon as it is in. With a
    /// <paramref name="viewer"/> (the dashboard) the cluster is on show during the run and stays
    /// up with it after <paramref name="report"/> until the viewer lets go; the runner disposes it.
    /// </summary>
    public static Task<ExperimentResult> RunAsync(ExperimentSpec spec, RunOptions options, IExperimentViewer? viewer = null, Action<ExperimentResult>? report = null) =>
        WithClusterAsync(options, viewer, async grains =>
        {
            ExperimentResult result;
            await using (SetUpProgressLine.StartOnTerminal(grains))
            {
                result = await grains.GetGrain<IExperimentGrain>(GrainKey).Run(Leased(spec, options)).ConfigureAwait(false);
            }
            report?.Invoke(result);
            return result;
        });

    /// <summary>
    /// <c>run --seeds A..B</c>: the experiment once per seed, in order, on one cluster (as
    /// <see cref="RunAsync(ExperimentSpec, RunOptions, IExperimentViewer?, Action{ExperimentResult}?)"/>
    /// sets it up), each result handed to <paramref name="report"/>; stops after the first run
    /// <paramref name="report"/> says failed (returns false). Returns the runs made.
    /// </summary>
    public static Task<IReadOnlyList<(ExperimentSpec Spec, ExperimentResult Result)>> RunSeedsAsync(ExperimentSpec spec, RunOptions options, IReadOnlyList<int> seeds, Func<ExperimentSpec, ExperimentResult, bool> report, IExperimentViewer? viewer = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(report);
        return WithClusterAsync<IReadOnlyList<(ExperimentSpec, ExperimentResult)>>(options, viewer, async grains =>
        {
            var runs = new List<(ExperimentSpec, ExperimentResult)>();
            foreach (var seed in seeds)
            {
                var seeded = spec with { Seed = seed };
                ExperimentResult result;
                await using (SetUpProgressLine.StartOnTerminal(grains))
                {
                    result = await grains.GetGrain<IExperimentGrain>(GrainKey).Run(Leased(seeded, options)).ConfigureAwait(false);
                }
                runs.Add((seeded, result));
                if (!report(seeded, result))
                {
                    break;
                }
            }
            return runs;
        });
    }

    /// <summary>
    /// The cluster a run uses (the silos this process hosts, or <c>--cluster DIR</c>), traced to
    /// the exporters <c>--trace</c> names, around <paramref name="body"/>. With a
    /// <paramref name="viewer"/> (the dashboard) the cluster is on show during the run and stays
    /// up with it after <paramref name="body"/> until the viewer lets go; the runner disposes it.
    /// </summary>
    private static async Task<T> WithClusterAsync<T>(RunOptions options, IExperimentViewer? viewer, Func<IGrainFactory, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trace = ParseTrace(options.Trace, options.TraceAccesses, options.TraceClock);
        if (options.TracePages)
        {
            // Flows with the run's calls to the migration coordinators' tracers.
            RequestContext.Set(MigrationTelemetry.TracePagesContextKey, true);
        }
        // Disposed on every way out (a failure too): each exporter flushed and closed, files at a whole line.
        using var tracing = StartTracing(trace);
        await using (viewer)
        {
            if (options.ClusterDirectory is { } directory)
            {
                await using var client = await LocalClusterClient.ConnectAsync(directory).ConfigureAwait(false);
                if (viewer is not null)
                {
                    await viewer.ShowClusterAsync(directory).ConfigureAwait(false);
                }
                return await ClusterWatch.WhileSilosLiveAsync(directory, client.GrainFactory, () => Then(body(client.GrainFactory), viewer),
                    renew: () => client.GrainFactory.GetGrain<IExperimentGrain>(GrainKey).Renew()).ConfigureAwait(false);
            }
            // The viewer's silo side (Orleans' call profiler) only when a viewer will look at it.
            var cluster = await EmbeddedCluster.StartAsync(options.Silos, viewer is null ? null : viewer.ConfigureSilo).ConfigureAwait(false);
            if (viewer is null)
            {
                await using (cluster)
                {
                    return await body(cluster.GrainFactory).ConfigureAwait(false);
                }
            }
            // The viewer stops the cluster after itself, so the page never shows a cluster gone.
            await viewer.ShowPointAsync(cluster).ConfigureAwait(false);
            return await Then(body(cluster.GrainFactory), viewer).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On a cluster of its own processes a run is abandoned by the cluster when this client is no
    /// longer heard from (the watch renews it each second); the silos this process hosts go with it.
    /// </summary>
    private static ExperimentSpec Leased(ExperimentSpec spec, RunOptions options) =>
        options.ClusterDirectory is { } directory ? spec with { ClientLease = ClusterWatch.ClientLease(directory) } : spec;

    /// <summary>The run's outcome, after which an open viewer stays until it lets go.</summary>
    private static async Task<T> Then<T>(Task<T> run, IExperimentViewer? viewer)
    {
        var result = await run.ConfigureAwait(false);
        if (viewer is not null)
        {
            await viewer.KeepOpenAsync().ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// The command's tracing; the spans an OTLP collector did not get are reported at the end,
    /// one line on stderr (to where, how many).
    /// </summary>
    public static TraceSession? StartTracing(TraceExportOptions trace)
    {
        try
        {
            return MigrationClusterTracing.Start(trace, TelemetrySources.Default, "migration-cluster", line => Console.Error.WriteLine($"migration-cluster: {line}"));
        }
        catch (TraceExportOptionException exception)
        {
            // A bad OTEL_EXPORTER_OTLP_* value: the user's input.
            throw new UsageException(exception.Message, exception);
        }
    }

    /// <summary>The <c>--trace</c> value, with batching sized for a run's spans.</summary>
    public static TraceExportOptions ParseTrace(string value, bool traceAccesses = false, TraceClock clock = TraceClock.Host)
    {
        try
        {
            var parsed = TraceExportOptions.Parse(value);
            // A run makes tens of thousands of spans in seconds: the SDK's default queue (2,048)
            // would drop most of them. A trace with holes is worse than a slower export.
            return new TraceExportOptions
            {
                Targets = parsed.Targets,
                ResourceAttributes = parsed.ResourceAttributes,
                TraceAccesses = traceAccesses,
                Clock = clock,
                Batch = new BatchExportActivityProcessorOptions { MaxQueueSize = 1 << 20, MaxExportBatchSize = 8192, ScheduledDelayMilliseconds = 500 },
            };
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message);
        }
    }
}
