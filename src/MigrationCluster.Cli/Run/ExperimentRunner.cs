using MigrationCluster.Cli.Commands;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.Topology;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Silo.Hosting;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.Telemetry;
using MigrationCluster.Silo.Telemetry;
using OpenTelemetry.Trace;

namespace MigrationCluster.Cli.Run;

/// <summary>Builds the experiment from the options, runs it on an embedded silo, and returns what it measured.</summary>
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
        if (options.ClusterDirectory is { } cluster && !Directory.Exists(cluster))
        {
            throw new UsageException($"--cluster: no such directory '{cluster}' (start a cluster with 'migration-cluster cluster start --silos N --state-dir DIR')");
        }
        var nodes = distances.Length;
        var frames = options.FramesPerNode ?? Math.Max(64, (int)Math.Min(int.MaxValue, 4L * options.AddressSpaces * options.Pages / nodes + 64));
        var spec = new ExperimentSpec(distances, frames, options.AddressSpaces, options.Pages, options.FileFraction, options.Workload,
            options.Tasks, options.Accesses, options.WriteFraction, options.Mode, options.Seed, options.Pinned);
        if (spec.Validate() is { } problem)
        {
            throw new UsageException(problem);
        }
        return spec;
    }

    public static async Task<ExperimentResult> RunEmbeddedAsync(ExperimentSpec spec, RunOptions options, TextWriter console)
    {
        ArgumentNullException.ThrowIfNull(options);
        TraceExportOptions trace;
        try
        {
            var parsed = TraceExportOptions.Parse(options.Trace);
            // A run makes tens of thousands of spans in seconds: the SDK's default queue (2,048)
            // would drop most of them. A trace with holes is worse than a slower export.
            trace = new TraceExportOptions
            {
                Targets = parsed.Targets,
                Otlp = parsed.Otlp,
                ResourceAttributes = parsed.ResourceAttributes,
                ConsoleTree = parsed.ConsoleTree,
                Batch = new BatchExportActivityProcessorOptions { MaxQueueSize = 1 << 20, MaxExportBatchSize = 8192, ScheduledDelayMilliseconds = 500 },
            };
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message);
        }
        using var tracing = MigrationClusterTracing.Build(trace, [TelemetryNames.RuntimeActivitySource, MigrationTelemetry.ActivitySourceName], "migration-cluster", console);
        if (options.ClusterDirectory is { } directory)
        {
            await using var client = await LocalClusterClient.ConnectAsync(directory, [typeof(NumaNodeGrain).Assembly], new MessagingOptions { ResponseTimeout = RunTimeout });
            return await client.GetGrain<IExperimentGrain>("run").Run(spec);
        }

        // Several silos in this process form a real cluster over loopback TCP, with an in-memory
        // membership table; NUMA node grains spread over them, so the protocol crosses silos.
        var store = new InMemoryMembershipStore();
        var clusterId = $"run-{Environment.ProcessId}";
        var key = NetworkingOptions.GenerateClusterKey();
        var silos = new List<Runtime.Hosting.Silo>();
        try
        {
            for (var i = 0; i < options.Silos; i++)
            {
                var builder = new SiloBuilder().AddGrains(typeof(NumaNodeGrain).Assembly).AddMemoryGrainStorage();
                builder.Configure<SiloBuilder, MessagingOptions>(o => o.ResponseTimeout = RunTimeout);
                builder.Configure<SiloBuilder, SiloOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.SiloName = $"silo-{i + 1}";
                });
                if (options.Silos > 1)
                {
                    builder.UseClustering(c =>
                    {
                        c.Networking = new NetworkingOptions { ClusterId = clusterId, ClusterKey = key };
                        c.MembershipTable = new InMemoryMembershipTable(new InMemoryMembershipTableOptions { ClusterId = clusterId }, store);
                    });
                }
                var silo = builder.Build();
                silos.Add(silo);
                if (options.Silos > 1)
                {
                    await silo.StartAsync();
                }
            }
            if (options.Silos > 1)
            {
                await WaitForClusterAsync(silos);
            }
            return await silos[0].GrainFactory.GetGrain<IExperimentGrain>("run").Run(spec);
        }
        finally
        {
            foreach (var silo in Enumerable.Reverse(silos))
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Every silo sees every other as active (the directory's ring is then the same everywhere).</summary>
    private static async Task WaitForClusterAsync(IReadOnlyList<Runtime.Hosting.Silo> silos)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (silos.Any(s => s.ClusterView.ActiveSilos.Count < silos.Count))
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"the {silos.Count} silos did not see each other within 30 s");
            }
            await Task.Delay(50);
        }
    }
}
