using MigrationCluster.Cli.Commands;
using MigrationCluster.Cli.Dashboard;
using MigrationCluster.Cli.Hosting;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Memory.Topology;
using OpenTelemetry.Trace;
using Orleans;
using Orleans.Dashboard;

namespace MigrationCluster.Cli.Run;

/// <summary>Builds the experiment from the options, runs it on the embedded cluster or on a local cluster of silo processes, and returns what it measured.</summary>
public static class ExperimentRunner
{
    /// <summary>Checks the options and turns them into a spec; bad input throws <see cref="UsageException"/>.</summary>
    public static ExperimentSpec BuildSpec(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int[][] distances;
        if (options.TopologyFile is { } file)
        {
            if (!File.Exists(file))
            {
                throw new UsageException($"--topology: no such file '{file}'");
            }
            try
            {
                distances = TopologyMatrix.From(NumaTopology.ParseNumactlHardware(File.ReadAllText(file)));
            }
            catch (TopologyFormatException exception)
            {
                throw new UsageException($"--topology {file}: {exception.Message}");
            }
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
        if (options.ClusterDirectory is { } cluster && !Directory.Exists(cluster))
        {
            throw new UsageException($"--cluster: no such directory '{cluster}' (start a cluster with 'migration-cluster cluster start --silos N --state-dir DIR')");
        }
        if (DashboardOptionsOf(options) is { } dashboard)
        {
            // A port in use or a bad Jaeger URL is said now, before any silo starts.
            dashboard.Validate();
        }
        var nodes = distances.Length;
        var frames = options.FramesPerNode ?? Math.Max(64, (int)Math.Min(int.MaxValue, 4L * options.AddressSpaces * options.Pages / nodes + 64));
        var spec = new ExperimentSpec(distances, frames, options.AddressSpaces, options.Pages, options.FileFraction, options.Workload,
            options.Tasks, options.Accesses, options.WriteFraction, options.Mode, options.Seed, options.Pinned,
            PacePagesPerSecond: options.Pace ?? 0);
        if (spec.Validate() is { } problem)
        {
            throw new UsageException(problem);
        }
        return spec;
    }

    /// <summary>
    /// Runs the experiment on the silos this process hosts (one, or <c>--silos N</c> over loopback
    /// TCP), or on a local cluster (<c>--cluster DIR</c>), tracing to the exporters <c>--trace</c>
    /// names, and hands the result to <paramref name="report"/> as soon as it is in. With
    /// <c>--dashboard PORT</c> the dashboard serves the cluster during the run and stays open after
    /// <paramref name="report"/> until Ctrl+C; the cluster stays up with it.
    /// </summary>
    public static async Task<ExperimentResult> RunEmbeddedAsync(ExperimentSpec spec, RunOptions options, Action<ExperimentResult>? report = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trace = ParseTrace(options.Trace);
        using var tracing = MigrationClusterTracing.Build(trace, TelemetrySources.Default, "migration-cluster");
        var dashboardOptions = DashboardOptionsOf(options);
        if (dashboardOptions is not null)
        {
            // From now on, Ctrl+C means: no need to keep the dashboard open after the report.
            StopSignal.Listen();
        }
        if (options.ClusterDirectory is { } directory)
        {
            await using var client = await LocalClusterClient.ConnectAsync(directory);
            await using var dashboard = dashboardOptions is null ? null : await StartDashboardAsync(dashboardOptions, DashboardConnection.ToLocalCluster(directory));
            return await ClusterWatch.WhileSilosLiveAsync(directory, client.GrainFactory, () => RunAsync(client.GrainFactory, spec, report, dashboard));
        }
        // The dashboard's silo side (Orleans' call profiler) only when a dashboard will look at it.
        await using var cluster = await EmbeddedCluster.StartAsync(options.Silos, dashboardOptions is null ? null : silo => silo.AddDashboard());
        await using (var dashboard = dashboardOptions is null ? null : await StartDashboardAsync(dashboardOptions, DashboardConnection.ToEmbeddedCluster(cluster)))
        {
            return await RunAsync(cluster.GrainFactory, spec, report, dashboard);
        }
    }

    /// <summary>The dashboard <c>--dashboard PORT</c> asks for (on loopback), or null.</summary>
    public static DashboardServerOptions? DashboardOptionsOf(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return DashboardServerOptions.ForDashboardOption(options.DashboardPort, options.JaegerUrl);
    }

    /// <summary>Starts the dashboard and says where it is (before the run's report, on stdout).</summary>
    public static async Task<DashboardServer> StartDashboardAsync(DashboardServerOptions options, DashboardConnection connection)
    {
        var server = await DashboardServer.StartAsync(options, connection);
        Console.WriteLine($"dashboard: {server.Address} (Orleans' dashboard: {server.OrleansDashboardAddress})");
        return server;
    }

    /// <summary>After the report, an open dashboard stays until Ctrl+C (or SIGTERM).</summary>
    public static async Task KeepOpenAsync(DashboardServer? dashboard)
    {
        if (dashboard is null || StopSignal.IsRequested)
        {
            // Ctrl+C came while the run went on: the dashboard closes right after the report.
            return;
        }
        Console.WriteLine($"The dashboard stays open at {dashboard.Address}: Ctrl+C to stop.");
        await dashboard.WaitForStopSignalAsync();
    }

    private static async Task<ExperimentResult> RunAsync(IGrainFactory grains, ExperimentSpec spec, Action<ExperimentResult>? report, DashboardServer? dashboard)
    {
        var result = await grains.GetGrain<IExperimentGrain>("run").Run(spec);
        report?.Invoke(result);
        await KeepOpenAsync(dashboard);
        return result;
    }

    /// <summary>The <c>--trace</c> value, with batching sized for a run's spans.</summary>
    public static TraceExportOptions ParseTrace(string value)
    {
        try
        {
            var parsed = TraceExportOptions.Parse(value);
            // A run makes tens of thousands of spans in seconds: the SDK's default queue (2,048)
            // would drop most of them. A trace with holes is worse than a slower export.
            return new TraceExportOptions
            {
                Targets = parsed.Targets,
                Otlp = parsed.Otlp,
                ResourceAttributes = parsed.ResourceAttributes,
                Batch = new BatchExportActivityProcessorOptions { MaxQueueSize = 1 << 20, MaxExportBatchSize = 8192, ScheduledDelayMilliseconds = 500 },
            };
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message);
        }
    }
}
