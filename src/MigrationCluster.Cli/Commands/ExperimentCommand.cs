using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using MigrationCluster.Cli.Experiments;
using MigrationCluster.Dashboard;
using MigrationCluster.Experiments;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Hosting.Admission;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using Spectre.Console;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>experiment</c>: a sweep over node counts (and silo counts, and repeats). Each point builds a
/// fresh machine of that size on that many silos, runs the main job on it (first touch, processes
/// moved far, misplaced pages migrated while the tasks keep running, invariants checked), and
/// records what it measured. Writes results.csv, results.json, plots/ and report.html to
/// <c>--out</c>. Ctrl+C stops after the current point and still writes what is done (exit 130).
/// Exit 1 if a point failed or an invariant broke.
/// </summary>
public static class ExperimentCommand
{
    /// <summary>The exit code of a sweep stopped with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Redirected output has no terminal width; the summary table needs this many columns.</summary>
    private const int RedirectedWidth = 200;

    public static Command Create()
    {
        var nodes = new Option<string?>("--nodes") { Description = $"Node counts to sweep, comma-separated, each {ExperimentOptions.MinNodes}..1024 (default {ExperimentOptions.DefaultNodes}; a topology file fixes it).", HelpName = "N,N,..." };
        var folioSizes = new Option<string?>("--folio-size") { Description = "Folio sizes to sweep, comma-separated: 4K (base pages), 16K .. 2M (a THP).", HelpName = "SIZE,SIZE,..." };
        var silos = new Option<string?>("--silos") { Description = $"Silo counts to sweep, comma-separated, each 1..{ExperimentOptions.MaxSilos}: in-process Orleans silos over loopback TCP (default {ExperimentOptions.DefaultSilos}).", HelpName = "N,N,..." };
        var machine = RunCommand.MachineOption();
        var protocol = new Option<string>("--protocol") { Description = "The kernel's migrate_pages to sweep, comma-separated: per-page (before 6.3), batched (6.3 and later).", DefaultValueFactory = _ => MachineNames.PerPage, HelpName = "per-page,batched" };
        var topology = new Option<string>("--topology") { Description = "Machine shape: ring, sockets or mesh (generated SLIT for any node count), or a `numactl --hardware` / sysfs distance FILE.", DefaultValueFactory = _ => "ring", HelpName = "ring|sockets|mesh|FILE" };
        var spaces = new Option<int>("--spaces-per-node") { Description = "Processes per NUMA node.", DefaultValueFactory = _ => ExperimentOptions.DefaultSpacesPerNode, HelpName = "K" };
        var pages = new Option<int>("--pages-per-space") { Description = "Pages per process.", DefaultValueFactory = _ => ExperimentOptions.DefaultPagesPerSpace, HelpName = "N" };
        var tasks = new Option<int>("--tasks") { Description = "Tasks per process.", DefaultValueFactory = _ => ExperimentOptions.DefaultTasksPerSpace };
        var accesses = new Option<int>("--accesses") { Description = "Accesses per task before and after the migration (during it, the tasks run until it ends).", DefaultValueFactory = _ => ExperimentOptions.DefaultAccesses };
        var workload = new Option<WorkloadPattern>("--workload") { Description = "Access pattern: sequential, random or hot.", DefaultValueFactory = _ => WorkloadPattern.Random, CustomParser = r => RunCommand.ParseWorkload(r) };
        var mode = new Option<MigrateMode>("--mode") { Description = "Migration mode: async, sync-light or sync.", DefaultValueFactory = _ => MigrateMode.Sync, CustomParser = r => RunCommand.ParseMode(r) };
        var pinned = new Option<int>("--pinned") { Description = "Private pages per process pinned by a driver (they cannot migrate).", DefaultValueFactory = _ => 0, HelpName = "N" };
        var repeat = new Option<int>("--repeat") { Description = "Repeats of every point (repeat r runs with seed + r - 1).", DefaultValueFactory = _ => ExperimentOptions.DefaultRepeat, HelpName = "R" };
        var seed = new Option<int>("--seed") { Description = "Seed of the workloads' random choices: the same seed gives the same rows but for the timing columns.", DefaultValueFactory = _ => RunOptions.DefaultSeed, HelpName = "S" };
        var cluster = new Option<DirectoryInfo?>("--cluster") { Description = "Run every point on the local cluster in this state directory (see `cluster start`) instead of embedded silos.", HelpName = "DIR" };
        var dashboard = DashboardCommand.PortOption("--dashboard", "Serve the dashboard (the machine's page and Orleans' dashboard) on this port of 127.0.0.1: each point's cluster while it runs, the last one after the sweep until Ctrl+C. Orleans' dashboard times every grain call, which the timing columns then include.");
        var jaeger = DashboardCommand.JaegerOption();
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for results.csv, results.json, plots/ and report.html.", Required = true, HelpName = "DIR" };
        var maxMemory = MaxMemoryOption.Create();
        var force = new Option<bool>("--force") { Description = "Replace the results of an earlier sweep in --out (without it, such a directory is refused)." };

        var command = new Command("experiment", "Sweep node counts (and silo counts): a fresh machine per point, results, plots and an HTML report.")
        {
            nodes, folioSizes, silos, topology, machine, protocol, spaces, pages, tasks, accesses, workload, mode, pinned, repeat, seed, cluster, dashboard, jaeger, output, force, maxMemory,
        };
        command.SetAction(parseResult =>
        {
            var options = new ExperimentOptions
            {
                Topology = ExperimentTopology.Parse(parseResult.GetValue(topology) ?? "ring"),
                SpacesPerNode = InRange(parseResult.GetValue(spaces), "--spaces-per-node", 1, 64),
                PagesPerSpace = InRange(parseResult.GetValue(pages), "--pages-per-space", 1, 1 << 20),
                TasksPerSpace = InRange(parseResult.GetValue(tasks), "--tasks", 1, 64),
                Accesses = InRange(parseResult.GetValue(accesses), "--accesses", 0, 1 << 24),
                Workload = parseResult.GetValue(workload),
                Mode = parseResult.GetValue(mode),
                Pinned = InRange(parseResult.GetValue(pinned), "--pinned", 0, int.MaxValue),
                Repeat = InRange(parseResult.GetValue(repeat), "--repeat", 1, 1000),
                Seed = parseResult.GetValue(seed),
                ClusterDirectory = parseResult.GetValue(cluster)?.FullName,
                OutputDirectory = parseResult.GetValue(output)!.FullName,
                DashboardPort = parseResult.GetResult(dashboard) is null ? null : parseResult.GetValue(dashboard),
                JaegerUrl = parseResult.GetValue(jaeger),
                CommandLine = ["migration-cluster", .. parseResult.Tokens.Select(t => t.Value)],
            };
            var nodeList = parseResult.GetValue(nodes);
            options.Machine = parseResult.GetValue(machine) is { } described ? MachinePresets.Resolve(described) : null;
            options.Protocols = MachineNames.ParseProtocols(parseResult.GetValue(protocol)!);
            if ((options.Machine?.Profile.Nodes ?? options.Topology.FixedNodes) is { } fixedNodes)
            {
                options.Nodes = nodeList is null ? [fixedNodes] : ParseList(nodeList, "--nodes", ExperimentOptions.MinNodes, 1024);
                // A machine fixes the node count: --nodes and a topology file must agree with it.
                foreach (var (count, what) in options.Nodes.Select(n => (n, "--nodes")).Append((options.Topology.FixedNodes ?? fixedNodes, "--topology")))
                {
                    options.Machine?.RequireNodes(count, what);
                }
                if (options.Nodes.Any(n => n != fixedNodes))
                {
                    throw new UsageException($"--topology {options.Topology.Name} has {fixedNodes} nodes: leave out --nodes or give {fixedNodes}");
                }
            }
            else
            {
                options.Nodes = ParseList(nodeList ?? ExperimentOptions.DefaultNodes, "--nodes", ExperimentOptions.MinNodes, 1024);
            }
            options.FolioOrders = ExperimentRunner.FolioOrders(parseResult.GetValue(folioSizes), FolioSizes.DefaultBasePageBytes);
            var siloList = parseResult.GetValue(silos);
            if (options.ClusterDirectory is not null)
            {
                if (siloList is not null)
                {
                    throw new UsageException("--silos does not go with --cluster: the points run on the cluster's own silos");
                }
                if (!Directory.Exists(options.ClusterDirectory))
                {
                    throw new UsageException($"--cluster: no such directory '{options.ClusterDirectory}' (start a cluster with 'migration-cluster cluster start --silos N --state-dir DIR')");
                }
                LocalClusterClient.RequireRunningSiloAsync(options.ClusterDirectory).GetAwaiter().GetResult();
                options.Silos = [];
            }
            else
            {
                options.Silos = ParseList(siloList ?? ExperimentOptions.DefaultSilos, "--silos", 1, ExperimentOptions.MaxSilos);
            }
            if (File.Exists(options.OutputDirectory))
            {
                throw new UsageException($"--out: '{options.OutputDirectory}' is a file, not a directory");
            }
            ExperimentOutput.CheckDirectory(options, parseResult.GetValue(force));
            // Every point's spec and the dashboard's port are checked before anything starts.
            ExperimentPlan.Build(options, options.ClusterDirectory is null ? options.Silos : [1]);
            // Points run one after another on fresh machines: the largest one is what must fit.
            var largest = options.Nodes.Select(n => ExperimentPlan.Spec(options, n, options.Seed)).MaxBy(MemoryAdmission.Estimate)!;
            MemoryAdmission.Admit($"the sweep's largest point ({largest.Nodes} nodes, {largest.AddressSpaces:N0} processes x {largest.PagesPerSpace:N0} pages)", MemoryAdmission.Estimate(largest), MaxMemoryOption.LimitOf(parseResult, maxMemory));
            var dashboardOptions = DashboardServerOptions.ForDashboardOption(options.DashboardPort, options.JaegerUrl);
            dashboardOptions?.Validate();
            return Run(options, dashboardOptions).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> Run(ExperimentOptions options, DashboardServerOptions? dashboardOptions)
    {
        ExperimentOutput output;
        try
        {
            output = new ExperimentOutput(options);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out: cannot create '{options.OutputDirectory}' ({exception.Message})", exception);
        }

        await using var dashboard = dashboardOptions is null ? null : new ExperimentDashboard(dashboardOptions);
        if (dashboard is not null)
        {
            Console.Out.WriteLine($"dashboard: {dashboard.Address} (each point's cluster while it runs; Orleans' dashboard under {DashboardServer.OrleansDashboardPath}/)");
        }

        using var stop = new CancellationTokenSource();
        IExperimentProgress? progress = null;
        // The points and rows so far, for a sweep abandoned in the middle of a point.
        var gate = new Lock();
        var started = DateTimeOffset.UtcNow;
        IReadOnlyList<ExperimentPoint> pointsSoFar = ExperimentPlan.Build(options, options.ClusterDirectory is null ? options.Silos : [1]);
        IReadOnlyList<ExperimentRow> rowsSoFar = [];
        bool abandoned = false;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (context.Signal == PosixSignal.SIGINT && !stop.IsCancellationRequested)
            {
                // The first Ctrl+C: the current point finishes, then everything is written.
                stop.Cancel();
                progress?.Note("stopping after the current point (Ctrl+C again to quit at once)");
                return;
            }
            // SIGTERM, or a second Ctrl+C: the current point is abandoned; the points done are
            // still written (results, plots, report), marked interrupted, and the process ends.
            lock (gate)
            {
                if (abandoned)
                {
                    return;
                }
                abandoned = true;
                var partial = new ExperimentSweepResult(pointsSoFar, rowsSoFar, true, null, true, options.ClusterDirectory is null, started, DateTimeOffset.UtcNow);
                output.WriteAll(partial);
                var code = InterruptSignals.ExitCodeOf(context.Signal);
                CommandRunner.Fail(code, $"stopped by {InterruptSignals.Name(context.Signal)} after {rowsSoFar.Count} of {pointsSoFar.Count} points; the current point was abandoned (written to {output.Directory})");
                Environment.Exit(code);
            }
        }
        using var signals = InterruptSignals.Handle(OnSignal);
        ExperimentSweepResult result;
        {
            void PointDone(IReadOnlyList<ExperimentPoint> points, IReadOnlyList<ExperimentRow> rows)
            {
                lock (gate)
                {
                    if (abandoned)
                    {
                        return;
                    }
                    (pointsSoFar, rowsSoFar) = (points, [.. rows]);
                    output.WriteResults(new ExperimentSweepResult(points, rows, false, null, true, options.ClusterDirectory is null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
                }
            }

            var console = AnsiConsole.Console;
            if (!Console.IsOutputRedirected && console.Profile.Capabilities.Interactive)
            {
                result = null!;
                await console.Progress().AutoClear(true).HideCompleted(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        progress = new SpectreExperimentProgress(context, console, options);
                        result = await ExperimentSweep.RunAsync(options, progress, stop.Token, PointDone, dashboard).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                // No colour codes or cursor movement in redirected output.
                console.Profile.Capabilities.Ansi = false;
                console.Profile.Width = Math.Max(console.Profile.Width, RedirectedWidth);
                progress = new PlainExperimentProgress(Console.Out, options);
                result = await ExperimentSweep.RunAsync(options, progress, stop.Token, PointDone, dashboard).ConfigureAwait(false);
            }
        }

        // From here on a signal takes its default action (a dashboard kept open listens for its
        // own); the files below are each replaced whole or not at all.
        signals.Dispose();
        output.WriteAll(result);
        if (result.Rows.Count > 0)
        {
            ExperimentConsole.WriteSummary(result, options, AnsiConsole.Console);
        }
        Console.Out.WriteLine($"results: {output.CsvPath}, {output.JsonPath}, {output.ReportPath}, {output.PlotsDirectory}{Path.DirectorySeparatorChar}");
        var exitCode = Verdict(result, output);
        if (dashboard is not null)
        {
            // The verdict is said first; the page then stays (not after a Ctrl+C during the sweep).
            await dashboard.KeepOpenAsync().ConfigureAwait(false);
        }
        return exitCode;
    }

    private static int Verdict(ExperimentSweepResult result, ExperimentOutput output)
    {
        if (result.Error is { } error)
        {
            return CommandRunner.Fail(ExitCodes.Failure, $"{error} ({result.Rows.Count} of {result.Points.Count} points written to {output.Directory})");
        }
        if (result.InvariantViolations != 0)
        {
            return CommandRunner.Fail(ExitCodes.Failure, $"{result.InvariantViolations} invariant violations over {result.Rows.Count} points (see invariant_violations in {output.CsvPath})");
        }
        if (result.Interrupted)
        {
            return CommandRunner.Fail(Interrupted, $"stopped by Ctrl+C after {result.Rows.Count} of {result.Points.Count} points (written to {output.Directory})");
        }
        return ExitCodes.Success;
    }

    /// <summary>"2,4,8": distinct whole numbers in [min, max], in the order given.</summary>
    public static IReadOnlyList<int> ParseList(string text, string option, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                throw new UsageException($"{option} takes a comma-separated list of whole numbers {min}..{max}, such as {min},{Math.Min(max, min * 2)} (got '{part}' in '{text}')");
            }
            if (values.Contains(value))
            {
                throw new UsageException($"{option} names {value} twice ('{text}')");
            }
            values.Add(value);
        }
        return values;
    }

    private static int InRange(int value, string option, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} must be between {min} and {max} (was {value})");
}
