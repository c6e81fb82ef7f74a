using System.CommandLine;
using System.CommandLine.Parsing;
using MigrationCluster.Cli.Experiments;
using MigrationCluster.Cli.Run;
using MigrationCluster.Dashboard;
using MigrationCluster.Experiments;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Hosting.Admission;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Migration;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>run</c>: the main job. Builds a NUMA machine and processes on an embedded cluster (one silo,
/// or <c>--silos N</c> in this process over loopback TCP, or a running local cluster with
/// <c>--cluster DIR</c>), moves the processes away from their memory, migrates the misplaced pages back while the processes keep
/// running, and prints what happened. Exit 1 if an invariant broke. With <c>--dashboard PORT</c> the
/// cluster's live view is served on 127.0.0.1:PORT during the run and after it, until Ctrl+C.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "NUMA nodes of the default ring topology.", DefaultValueFactory = _ => RunOptions.DefaultNodes };
        var topology = new Option<FileInfo?>("--topology") { Description = "A `numactl --hardware` output to take the nodes and distances from.", HelpName = "FILE" };
        var machine = MachineOption();
        var protocol = ProtocolOption();
        var folioSize = new Option<string?>("--folio-size") { Description = "Folio size of the processes' private memory: 4K (base pages), 16K .. 2M (a THP).", HelpName = "SIZE" };
        var spaces = new Option<int>("--address-spaces") { Description = "Processes.", DefaultValueFactory = _ => RunOptions.DefaultAddressSpaces };
        var pages = new Option<int>("--pages") { Description = "Pages per process.", DefaultValueFactory = _ => RunOptions.DefaultPages };
        var frames = new Option<int?>("--frames-per-node") { Description = "Page frames per node (default: room for every page twice)." };
        var workload = new Option<WorkloadPattern>("--workload") { Description = "Access pattern: sequential, random or hot.", DefaultValueFactory = _ => WorkloadPattern.Random, CustomParser = ParseWorkload };
        var mode = new Option<MigrateMode>("--mode") { Description = "Migration mode: async, sync-light or sync.", DefaultValueFactory = _ => MigrateMode.Sync, CustomParser = ParseMode };
        var seed = new Option<int>("--seed") { Description = "Seed of the workloads' random choices.", DefaultValueFactory = _ => RunOptions.DefaultSeed };
        var seeds = new Option<string?>("--seeds") { Description = "Run every seed of a range A..B in turn (instead of --seed) and stop at the first that breaks an invariant.", HelpName = "A..B" };
        var silos = new Option<int>("--silos") { Description = "Silos in this process.", DefaultValueFactory = _ => RunOptions.DefaultSilos };
        var tasks = new Option<int>("--tasks") { Description = "Tasks per process.", DefaultValueFactory = _ => RunOptions.DefaultTasks };
        var accesses = new Option<int>("--accesses") { Description = "Accesses per task in each phase.", DefaultValueFactory = _ => RunOptions.DefaultAccesses };
        var writes = new Option<double>("--write-fraction") { Description = "Share of accesses that are writes.", DefaultValueFactory = _ => RunOptions.DefaultWriteFraction };
        var files = new Option<double>("--file-fraction") { Description = "Share of each process's pages that are a file it shares with its neighbour.", DefaultValueFactory = _ => RunOptions.DefaultFileFraction };
        var pinned = new Option<int>("--pinned") { Description = "Private pages per process pinned by a driver (they cannot migrate).", DefaultValueFactory = _ => 0 };
        var pace = new Option<double?>("--pace") { Description = "Migrate at most this many pages per second of wall time, to watch the run on the dashboard (simulated figures are unchanged).", HelpName = "PAGES_PER_S" };
        var trace = new Option<string>("--trace") { Description = "Where spans go: none, console, otlp or jsonl:PATH (comma-separated).", DefaultValueFactory = _ => "none" };
        var schedule = new Option<TaskSchedule>("--schedule") { Description = "How tasks run during the migration: simulated (in simulated time, deterministic) or free (a stress test: as fast as the host lets them).", DefaultValueFactory = _ => TaskSchedule.Simulated, CustomParser = ParseSchedule };
        var traceClock = new Option<TraceClock>("--trace-clock") { Description = "The clock of the spans' timestamps: host (when the simulator worked) or simulated (the simulated machine's timeline from 2000-01-01T00:00:00Z; the same seed gives the same timestamps).", DefaultValueFactory = _ => TraceClock.Host, CustomParser = r => ParseName(r, "--trace-clock", new Dictionary<string, TraceClock> { ["host"] = TraceClock.Host, ["simulated"] = TraceClock.Simulated }) };
        var tracePages = new Option<bool>("--trace-pages") { Description = "Trace every page through every step (default: one span per step per batch)." };
        var traceAccesses = new Option<bool>("--trace-accesses") { Description = "Also trace the grain calls tasks make for each access (tens of thousands of spans)." };
        var cluster = new Option<DirectoryInfo?>("--cluster") { Description = "Run as a client of the local cluster in this state directory (see `cluster start`).", HelpName = "DIR" };
        var json = new Option<FileInfo?>("--json") { Description = "Write the result document here.", HelpName = "PATH" };
        var dashboard = DashboardCommand.PortOption("--dashboard", "Serve the dashboard (the machine's page and Orleans' dashboard) on this port of 127.0.0.1 while the run goes on, and after it until Ctrl+C.");
        var jaeger = DashboardCommand.JaegerOption();
        var maxMemory = MaxMemoryOption.Create();

        var command = new Command("run", "Run the main experiment on an embedded cluster (no server needed).")
        {
            nodes, topology, machine, protocol, folioSize, spaces, pages, frames, workload, mode, seed, seeds, silos, tasks, accesses, writes, files, pinned, pace, trace, traceClock, schedule, tracePages, traceAccesses, cluster, json, dashboard, jaeger, maxMemory,
        };
        command.SetAction(parseResult =>
        {
            var options = new RunOptions
            {
                Nodes = parseResult.GetValue(nodes),
                NodesGiven = parseResult.GetResult(nodes) is { Implicit: false },
                TopologyFile = parseResult.GetValue(topology)?.FullName,
                Machine = parseResult.GetValue(machine),
                Protocol = MachineNames.ParseProtocol(parseResult.GetValue(protocol)!),
                FolioSize = parseResult.GetValue(folioSize),
                AddressSpaces = parseResult.GetValue(spaces),
                Pages = parseResult.GetValue(pages),
                FramesPerNode = parseResult.GetValue(frames),
                Workload = parseResult.GetValue(workload),
                Mode = parseResult.GetValue(mode),
                Seed = parseResult.GetValue(seed),
                Silos = parseResult.GetValue(silos),
                Tasks = parseResult.GetValue(tasks),
                Accesses = parseResult.GetValue(accesses),
                WriteFraction = parseResult.GetValue(writes),
                FileFraction = parseResult.GetValue(files),
                Pinned = parseResult.GetValue(pinned),
                Pace = parseResult.GetValue(pace),
                Trace = parseResult.GetValue(trace) ?? "none",
                Schedule = parseResult.GetValue(schedule),
                TraceClock = parseResult.GetValue(traceClock),
                TracePages = parseResult.GetValue(tracePages),
                TraceAccesses = parseResult.GetValue(traceAccesses),
                JsonPath = parseResult.GetValue(json)?.FullName,
                ClusterDirectory = parseResult.GetValue(cluster)?.FullName,
                DashboardPort = parseResult.GetResult(dashboard) is null ? null : parseResult.GetValue(dashboard),
                JaegerUrl = parseResult.GetValue(jaeger),
            };
            // A port in use or a bad Jaeger URL is said before any silo starts.
            var spec = ExperimentRunner.BuildSpec(options, () => DashboardServerOptions.ForDashboardOption(options.DashboardPort, options.JaegerUrl)?.Validate());
            MemoryAdmission.Admit($"the run ({spec.Nodes} nodes, {spec.AddressSpaces:N0} processes x {spec.PagesPerSpace:N0} pages, {spec.FramesPerNode:N0} frames per node)", MemoryAdmission.Estimate(spec), MaxMemoryOption.LimitOf(parseResult, maxMemory));
            // Every file the run writes is checked now, not after the run.
            var paths = new PathRoles().Input("--topology", options.TopologyFile).Input("--machine", MachinePresets.FileOf(options.Machine)).Output("--json", options.JsonPath);
            foreach (var target in ExperimentRunner.ParseTrace(options.Trace).Targets.Where(t => t.Path is not null))
            {
                paths.Output("--trace jsonl", target.Path);
            }
            paths.Check();
            // Without a dashboard, Ctrl+C or SIGTERM abandons the run: one line, then the signal's
            // own exit (130, 143), whatever disposition the parent process left the signal with.
            using var interrupt = options.DashboardPort is null ? InterruptSignals.Notify("the run was abandoned") : null;
            if (parseResult.GetValue(seeds) is { } range)
            {
                return RunSeeds(spec, options, SeedRange.Parse(range));
            }
            // The report comes as soon as the run ends; with --dashboard the page stays open after it.
            var result = ExperimentRunner.RunAsync(spec, options, ExperimentDashboard.ForRun(options), result =>
            {
                RunReport.WriteTable(result, spec, AnsiConsole.Console);
                if (options.JsonPath is { } path)
                {
                    RunReport.WriteJson(result, spec, path);
                }
            }).GetAwaiter().GetResult();
            if (result.Invariants.Total != 0)
            {
                return CommandRunner.Fail(ExitCodes.Failure, $"{result.Invariants.Total} invariant violations: {result.Invariants}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>--machine NAME|FILE</c>, shared by run, experiment, scenario and bench.</summary>
    internal static Option<string?> MachineOption() => new("--machine") { Description = $"A machine preset ({string.Join(", ", MachinePresets.Names)}) or a machine file (docs/machines.md); default: the SLIT-derived model.", HelpName = "NAME|FILE" };

    internal static Option<string> ProtocolOption() => new("--protocol") { Description = "The kernel's migrate_pages: per-page (before 6.3) or batched (6.3 and later).", DefaultValueFactory = _ => MachineNames.PerPage };

    internal static WorkloadPattern ParseWorkload(ArgumentResult result) =>
        ParseName(result, "--workload", new Dictionary<string, WorkloadPattern>
        {
            ["sequential"] = WorkloadPattern.Sequential,
            ["random"] = WorkloadPattern.Random,
            ["hot"] = WorkloadPattern.Hot,
        });

    /// <summary>
    /// <c>run --seeds A..B</c>: a line per seed; the first seed that breaks an invariant (or reads
    /// a stale value) ends the command with exit 1, and replays alone with <c>--seed</c>.
    /// </summary>
    private static int RunSeeds(Grains.Experiments.ExperimentSpec spec, RunOptions options, IReadOnlyList<int> seeds)
    {
        Grains.Experiments.ExperimentSpec? failed = null;
        var runs = ExperimentRunner.RunSeedsAsync(spec, options, seeds, viewer: ExperimentDashboard.ForRun(options), report: (seeded, result) =>
        {
            Console.WriteLine(RunReport.SeedLine(result, seeded));
            if (result.Invariants.Total != 0)
            {
                failed = seeded;
                return false;
            }
            return true;
        }).GetAwaiter().GetResult();
        if (options.JsonPath is { } path)
        {
            RunReport.WriteJson(runs, path);
        }
        return failed is null
            ? ExitCodes.Success
            : CommandRunner.Fail(ExitCodes.Failure, $"seed {failed.Seed} breaks {runs[^1].Result.Invariants.Total} invariants (replay it with --seed {failed.Seed}): {runs[^1].Result.Invariants}");
    }

    internal static TaskSchedule ParseSchedule(ArgumentResult result) =>
        ParseName(result, "--schedule", new Dictionary<string, TaskSchedule>
        {
            ["simulated"] = TaskSchedule.Simulated,
            ["free"] = TaskSchedule.Free,
        });

    internal static MigrateMode ParseMode(ArgumentResult result) =>
        ParseName(result, "--mode", new Dictionary<string, MigrateMode>
        {
            ["async"] = MigrateMode.Async,
            ["sync-light"] = MigrateMode.SyncLight,
            ["sync"] = MigrateMode.Sync,
        });

    private static T ParseName<T>(ArgumentResult result, string option, Dictionary<string, T> names)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (names.TryGetValue(text.ToLowerInvariant(), out var value))
        {
            return value;
        }
        result.AddError($"{option} must be one of {string.Join(", ", names.Keys)} (was '{text}').");
        return default!;
    }
}
