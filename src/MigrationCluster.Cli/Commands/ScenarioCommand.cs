using System.CommandLine;
using MigrationCluster.Experiments.Machines;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.Hosting.Admission;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Scenarios;
using Spectre.Console;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>scenario FILE [--engine grains|model] [--json PATH]</c>: sets up processes and pages as a
/// scenario file says, makes its calls on the grains of an embedded one-silo cluster (the default)
/// or on the in-process model, and reports each call and where every page ends up. Exit 1 when an
/// invariant breaks or an <c>expect:</c> is not met; exit 2 for a bad file or option.
/// </summary>
public static class ScenarioCommand
{
    private const int RedirectedWidth = 160;

    public const string GrainsEngine = "grains";
    public const string ModelEngine = "model";

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A scenario: YAML, or JSON when the name ends in .json (format: docs/scenarios.md)." };
        var json = new Option<FileInfo>("--json") { Description = "Also write the result as JSON to this file.", HelpName = "PATH" };
        var engine = new Option<string>("--engine")
        {
            Description = $"Where the scenario runs: '{GrainsEngine}' (the grains, in one embedded silo) or '{ModelEngine}' (the in-process model). The result is the same on both.",
            HelpName = $"{GrainsEngine}|{ModelEngine}",
            DefaultValueFactory = _ => GrainsEngine,
        };
        var maxMemory = MaxMemoryOption.Create();
        var machineOption = RunCommand.MachineOption();
        var command = new Command("scenario", "Run a scenario file (processes, pages in given states, then move_pages / migrate_pages / mbind and accesses) on the grains or the in-process model.")
        {
            file,
            engine,
            json,
            maxMemory,
            machineOption,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            var display = parseResult.GetRequiredValue(file).ToString();
            var jsonPath = parseResult.GetValue(json)?.FullName;
            var engineName = parseResult.GetValue(engine);
            if (engineName is not (GrainsEngine or ModelEngine))
            {
                throw new UsageException($"--engine: '{engineName}' is not an engine; use {GrainsEngine} or {ModelEngine}");
            }

            if (FileKinds.Of(path) == FileKind.Missing)
            {
                throw new UsageException($"{display}: no such scenario file");
            }
            // The result may not overwrite the scenario, and must be writable before anything runs.
            new PathRoles().Input("scenario", display).Input("--machine", MachinePresets.FileOf(parseResult.GetValue(machineOption))).Output("--json", jsonPath).Check();

            ScenarioResult result;
            using var interrupt = InterruptSignals.Notify("the scenario was abandoned (nothing written)");
            try
            {
                ScenarioDefinition scenario = ScenarioParser.ParseFile(display);
                new PathRoles().Input("scenario's topology", scenario.TopologyFile).Output("--json", jsonPath).Check();
                MemoryAdmission.Admit(
                    $"{display} ({scenario.Topology.NodeCount} nodes x {scenario.FramesPerNode:N0} frames, {scenario.Processes.Count:N0} processes)",
                    MemoryAdmission.Estimate(scenario.Topology.NodeCount, scenario.FramesPerNode, scenario.Processes.Count, scenario.Regions.Sum(r => (double)r.Pages * (1 + r.MappedBy.Count)), 0),
                    MaxMemoryOption.LimitOf(parseResult, maxMemory));
                var machine = parseResult.GetValue(machineOption) is { } described ? MachinePresets.Resolve(described) : null;
                machine?.RequireNodes(scenario.Topology.NodeCount, display);
                result = (engineName == ModelEngine
                    ? new ScenarioRunner(scenario, display, new ModelScenarioEngine(machine?.Profile)).RunAsync()
                    : RunOnGrainsAsync(scenario, display, machine?.Profile)).GetAwaiter().GetResult();
            }
            catch (ScenarioFormatException exception)
            {
                throw new UsageException(exception.Message, exception);
            }

            if (jsonPath is not null)
            {
                OutputFile.WriteAllText(jsonPath, JsonSerializer.Serialize(result, ScenarioResultJson.Options));
            }

            Render(result);
            if (result.Invariants.Message is { } violation)
            {
                return CommandRunner.Fail(ExitCodes.Failure, $"{display}: invariant violated after {(result.Calls.Count == 0 ? "the setup" : $"call {result.Calls.Count} (line {result.Calls[^1].Line})")}: {violation}");
            }

            if (result.Expectations.Failed > 0)
            {
                var first = result.Calls.First(c => c.ExpectationMet == false);
                return CommandRunner.Fail(ExitCodes.Failure, $"{display}:{first.Line}: {result.Expectations.Failed} of {result.Expectations.Checked} expectations not met; first: {first.Call}: {string.Join("; ", first.Mismatches)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>One embedded silo for the run: the scenario's grains live there and go with it.</summary>
    private static async Task<ScenarioResult> RunOnGrainsAsync(ScenarioDefinition scenario, string display, Memory.Machines.MachineProfile? machine)
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1);
        return await new ScenarioRunner(scenario, display, new GrainScenarioEngine(cluster.GrainFactory, machine)).RunAsync();
    }

    private static void Render(ScenarioResult result)
    {
        // Piped output would otherwise wrap at 80 columns, one word per line in the arguments
        // column, and carry colour codes into files.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, RedirectedWidth);
            AnsiConsole.Profile.Capabilities.Ansi = false;
        }

        var calls = new Table().Title($"scenario {result.Scenario}: calls")
            .AddColumn("#").AddColumn("line").AddColumn("call").AddColumn("pid").AddColumn("arguments")
            .AddColumn(new TableColumn("return").RightAligned()).AddColumn("status").AddColumn("vmstat delta").AddColumn("expect");
        foreach (ScenarioCallResult c in result.Calls)
        {
            var ret = c.Errno is null ? Text(c.ReturnValue) : $"{c.ReturnValue} ({c.Errno})";
            var status = c.Status is null ? "-" : "[" + string.Join(", ", c.Status.Select(s => Convert.ToString(s, CultureInfo.InvariantCulture))) + "]";
            var delta = string.Join(" ", c.VmstatDelta.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}+{kv.Value}"));
            var expect = c.ExpectationMet switch
            {
                null => "-",
                true => "met",
                false => "NOT MET: " + string.Join("; ", c.Mismatches),
            };
            calls.AddRow(
                new Text(Text(c.Index)), new Text(Text(c.Line)), new Text(c.Call), new Text(c.Pid), new Text(c.Args),
                new Text(ret), new Text(status), new Text(delta.Length == 0 ? "-" : delta),
                new Text(expect, c.ExpectationMet == false ? new Style(Color.Red) : Style.Plain));
        }

        AnsiConsole.Write(calls);

        var pages = new Table().Title("where every page is").AddColumn("process").AddColumn("region")
            .AddColumn("pages (index=node:pfn, mlocked: on the unevictable LRU; - not present, zero: the zero page, unmapped: no VMA)");
        foreach (var group in result.Pages.GroupBy(p => (p.Process, p.Region)))
        {
            var text = string.Join(" ", group.Select(p => $"{p.Index}={PageText(p)}"));
            pages.AddRow(new Text(group.Key.Process), new Text(group.Key.Region), new Text(text));
        }

        AnsiConsole.Write(pages);

        var summary = new Table().Title("vmstat and checks").AddColumn("counter").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in result.Vmstat)
        {
            summary.AddRow(new Text(name), new Text(Text(value)));
        }

        summary.AddRow(new Text("engine"), new Text(result.Engine));
        summary.AddRow(new Text("invariant checks"), new Text(Text(result.Invariants.Checks)));
        summary.AddRow(new Text("invariants"), new Text(result.Invariants.Message is null ? "ok" : "VIOLATED: " + result.Invariants.Message));
        summary.AddRow(new Text("expectations met"), new Text($"{result.Expectations.Checked - result.Expectations.Failed} of {result.Expectations.Checked}"));
        AnsiConsole.Write(summary);
    }

    private static string PageText(ScenarioPageLocation page) => page.Location switch
    {
        _ when page.Node is not null => page.Mlocked == true ? page.Location + " mlocked" : page.Location,
        ScenarioRunner.ZeroPageLocation => ScenarioStatus.ZeroPage,
        ScenarioRunner.UnmappedLocation => ScenarioRunner.UnmappedLocation,
        _ => "-",
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
