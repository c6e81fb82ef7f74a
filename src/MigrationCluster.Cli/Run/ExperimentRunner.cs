using MigrationCluster.Cli.Commands;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.Topology;
using MigrationCluster.Runtime.Configuration;
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
        if (options.Silos < 1)
        {
            throw new UsageException($"--silos must be at least 1 (was {options.Silos})");
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
        var builder = new SiloBuilder().AddGrains(typeof(NumaNodeGrain).Assembly).AddMemoryGrainStorage();
        builder.Configure<SiloBuilder, MessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(5));
        await using var silo = builder.Build();
        var result = await silo.GrainFactory.GetGrain<IExperimentGrain>("run").Run(spec);
        return result;
    }
}
