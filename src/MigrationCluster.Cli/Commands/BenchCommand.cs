using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.Cli.Bench;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Hosting.Io;
using Spectre.Console;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>bench</c>: performance measurements. Subcommands: <c>model</c>, <c>migration</c>.</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions ModelJsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure performance.");
        bench.Subcommands.Add(CreateModel());
        bench.Subcommands.Add(CreateMigration());
        return bench;
    }

    private static Command CreateModel()
    {
        var json = new Option<FileInfo>("--json")
        {
            Description = "Where to write the results as JSON (snake_case fields).",
            HelpName = "PATH",
            Required = true,
        };
        var pages = new Option<int>("--pages")
        {
            Description = "Pages migrated from node 0 to node 1.",
            HelpName = "N",
            DefaultValueFactory = _ => ModelBenchOptions.DefaultPages,
        };
        var largePages = new Option<long>("--large-model-pages")
        {
            Description = "Frames of the large model (memory held per page at scale); 0 skips that measurement.",
            HelpName = "N",
            DefaultValueFactory = _ => ModelBenchOptions.DefaultLargeModelPages,
        };
        var maxMemory = MaxMemoryOption.Create();
        var command = new Command("model", "Pages per second the memory model migrates against a floor of bare page copies, and bytes it holds per page.")
        {
            json,
            pages,
            largePages,
            maxMemory,
        };
        command.SetAction(parseResult =>
        {
            var options = new ModelBenchOptions
            {
                Pages = parseResult.GetValue(pages),
                LargeModelPages = parseResult.GetValue(largePages),
            };
            using var output = ValidateAndCreate(() => { options.Validate(); options.Admit(MaxMemoryOption.LimitOf(parseResult, maxMemory)); }, parseResult.GetRequiredValue(json));
            using var interrupt = InterruptSignals.Notify("the benchmark was abandoned");
            ModelBenchResult result = ModelBench.Run(options);
            JsonSerializer.Serialize(output, result, ModelJsonOptions);
            AnsiConsole.Write(ToModelTable(result));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Checks a benchmark's options (a bad one is bad input: exit 2) and creates its result file
    /// first, so an unwritable path fails now, not after the measurement.
    /// </summary>
    private static FileStream ValidateAndCreate(Action validate, FileInfo json, string? machineFile = null)
    {
        try
        {
            validate();
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message, exception);
        }
        // The result may not overwrite the machine file it was costed on.
        new PathRoles().Input("--machine", machineFile).Output("--json", json.FullName).Check();
        Directory.CreateDirectory(json.DirectoryName!);
        return File.Create(json.FullName);
    }

    private static Command CreateMigration()
    {
        var json = new Option<FileInfo>("--json") { Description = "Where to write the results as JSON (snake_case fields).", HelpName = "PATH", Required = true };
        var pages = new Option<int>("--pages") { Description = "Pages migrated per round, spread evenly over the nodes.", HelpName = "N", DefaultValueFactory = _ => MigrationBenchOptions.DefaultPages };
        var nodes = new Option<int>("--nodes") { Description = "NUMA node grains (a ring).", HelpName = "N", DefaultValueFactory = _ => MigrationBenchOptions.DefaultNodes };
        var rounds = new Option<int>("--rounds") { Description = "Interleaved rounds; the figures are medians.", HelpName = "R", DefaultValueFactory = _ => MigrationBenchOptions.DefaultRounds };
        var warmUp = new Option<double>("--warm-up") { Description = $"Seconds of unrecorded rounds before the recorded ones (at least {MigrationBenchOptions.WarmUpRounds} rounds), so the JIT has settled.", HelpName = "SECONDS", DefaultValueFactory = _ => MigrationBenchOptions.DefaultWarmUp.TotalSeconds };
        var machine = RunCommand.MachineOption();
        var protocol = RunCommand.ProtocolOption();
        var scale = new Option<bool>("--scale") { Description = $"Also build {MigrationBenchOptions.ScaleNodes:N0} node grains on three silos holding {MigrationBenchOptions.ScalePages:N0} pages, and migrate them." };
        var command = new Command("migration", "The same migration on the memory model, on grains on one silo, on three silos over loopback TCP and with tracing on, against Orleans' ping floor.")
        {
            json, pages, nodes, rounds, warmUp, scale, machine, protocol,
        };
        command.SetAction(parseResult =>
        {
            var options = new MigrationBenchOptions
            {
                Pages = parseResult.GetValue(pages),
                Nodes = parseResult.GetValue(nodes),
                Rounds = parseResult.GetValue(rounds),
                WarmUpSeconds = parseResult.GetValue(warmUp),
                Scale = parseResult.GetValue(scale),
                Protocol = MachineNames.ParseProtocol(parseResult.GetValue(protocol)!),
            };
            if (parseResult.GetValue(machine) is { } described)
            {
                var loaded = MachinePresets.Resolve(described);
                if (parseResult.GetResult(nodes) is { Implicit: false })
                {
                    loaded.RequireNodes(options.Nodes, "--nodes");
                }
                (options.Machine, options.Nodes) = (loaded.Profile, loaded.Profile.Nodes);
            }
            using var output = ValidateAndCreate(options.Validate, parseResult.GetRequiredValue(json), MachinePresets.FileOf(parseResult.GetValue(machine)));
            using var interrupt = InterruptSignals.Notify("the benchmark was abandoned");
            var result = MigrationBench.RunAsync(options, line => Console.Error.WriteLine($"bench migration: {line}")).GetAwaiter().GetResult();
            if (options.Scale)
            {
                result = result with { Scale = MigrationScaleBench.RunAsync(line => Console.Error.WriteLine($"bench migration --scale: {line}")).GetAwaiter().GetResult() };
            }
            JsonSerializer.Serialize(output, result, ModelJsonOptions);
            AnsiConsole.Write(ToMigrationTable(result));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Table ToMigrationTable(MigrationBenchResult r)
    {
        var table = new Table().Title("the simulator's speed (host wall clock)").AddColumn("engine").AddColumn(new TableColumn("pages/s").RightAligned()).AddColumn(new TableColumn("ratio to model").RightAligned())
            .AddColumn(new TableColumn("grain calls/page").RightAligned()).AddColumn(new TableColumn("cross-silo/page").RightAligned()).AddColumn(new TableColumn("bytes/page").RightAligned());
        static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
        void Row(string name, EngineFigures e) => table.AddRow(name, F(e.PagesPerS, "N0"), F(e.RatioToModel, "0.000"), F(e.GrainCallsPerPage, "0.000"), F(e.CrossSiloCallsPerPage, "0.000"), F(e.BytesAllocatedPerPage, "0"));
        Row("model", r.Model);
        Row("one silo", r.OneSilo);
        Row("three silos (TCP)", r.ThreeSilos);
        Row($"one silo, traced ({F(r.OneSiloTraced.SpansPerPage, "0.0")} spans/page, {F(r.OneSiloTraced.NsPerSpan, "N0")} ns/span)", r.OneSiloTraced);
        table.AddRow("Orleans ping, local", F(r.OrleansPing.LocalCallsPerS, "N0") + " calls/s", "", "", "", "");
        table.AddRow("Orleans ping, remote", F(r.OrleansPing.RemoteCallsPerS, "N0") + " calls/s", "", "", "", "");
        if (r.Scale is { } s)
        {
            table.AddRow($"scale: {s.Nodes:N0} nodes, {s.Silos} silos, {s.Pages:N0} pages", F(s.PagesPerS, "N0"), "", $"build {s.BuildSeconds:0.0} s", "", $"peak {s.PeakWorkingSetBytes / (1024.0 * 1024 * 1024):0.00} GiB");
        }
        if (r.Simulated is { } sim)
        {
            table.AddRow("[bold]simulated machine, one round[/]", "", "", "", "", "");
            table.AddRow("migration time (simulated)", $"{sim.MigrationNs / 1e6:N3} ms", "", $"model {sim.ModelMigrationNs / 1e6:N3} ms", $"3 silos {sim.ThreeSilosMigrationNs / 1e6:N3} ms", "");
            table.AddRow("throughput (simulated)", F(sim.PagesPerS, "N0"), "", $"{sim.GbPerS:N2} GB/s", $"{sim.TlbShootdowns:N0} TLB shootdowns", "");
        }
        return table;
    }

    private static Table ToModelTable(ModelBenchResult r)
    {
        var table = new Table().AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, double value, string format) =>
            table.AddRow(new Text(name), new Text(value.ToString(format, CultureInfo.InvariantCulture)));
        Row("pages", r.Pages, "N0");
        Row("floor pages/s", r.FloorPagesPerS, "N0");
        Row("model pages/s", r.ModelPagesPerS, "N0");
        Row("ratio (model / floor)", r.Ratio, "0.0000");
        Row("bytes per page", r.BytesPerPage, "0.0");
        Row("bytes per mapped page", r.BytesPerMappedPage, "0.0");
        Row("allocated bytes per migrated page", r.AllocatedBytesPerMigratedPage, "0.0");
        Row("migrated", r.Migrated, "N0");
        Row("simulated ns", r.SimulatedNs, "N0");
        Row("large model nodes", r.LargeModelNodes, "N0");
        Row("large model pages", r.LargeModelPages, "N0");
        Row("large model bytes", r.LargeModelBytes, "N0");
        return table;
    }
}
