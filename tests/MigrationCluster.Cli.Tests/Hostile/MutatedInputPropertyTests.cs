using System.Diagnostics;
using CsCheck;
using MigrationCluster.Cli.Trace;
using MigrationCluster.Experiments.Machines;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Scenarios;
using MigrationCluster.Memory.Topology;
using Spectre.Console;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>
/// Mutated scenario, topology, machine and trace files (CsCheck): the reader either accepts the file or refuses
/// it with one line naming the file; it never throws anything else, hangs or runs away with
/// memory. A few mutated files also go through the command itself, which must end with exit 0 or
/// 2 (1 only for expectations the mutation broke), at most one line on stderr, and leave the file
/// byte for byte as it was. The time and memory bounds are generous: they catch a hang or a
/// runaway, not slowness.
/// </summary>
public sealed class MutatedInputPropertyTests
{
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(30);
    private const long MemoryBound = 1L << 30;

    private static readonly string[] Scenarios = Directory.GetFiles(RepositoryPaths.ExampleScenarios).Order(StringComparer.Ordinal).ToArray();
    private static readonly string[] Topologies = Directory.GetFiles(RepositoryPaths.ExampleTopologies).Order(StringComparer.Ordinal).ToArray();
    private static readonly string[] Machines = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "src", "MigrationCluster.Experiments", "Machines", "Presets"), "*.yaml").Order(StringComparer.Ordinal).ToArray();

    private static Gen<(string File, string Text)> Mutated(string[] files) =>
        Gen.Select(Gen.Int[0, files.Length - 1], Gen.Int[0, FileMutation.Kinds - 1], Gen.Int, Gen.Int[1, 3], (file, kind, seed, times) =>
        {
            var text = File.ReadAllText(files[file]);
            for (int n = 0; n < times; n++)
            {
                text = FileMutation.Apply(text, (kind + n) % FileMutation.Kinds, seed + n);
            }
            return (files[file], text);
        });

    [Fact]
    public void A_mutated_scenario_is_run_or_refused_in_one_line()
    {
        Mutated(Scenarios).Sample((file, text) =>
        {
            // The copy sits beside the examples' name, so relative topology paths still resolve.
            var name = Path.Combine(Path.GetDirectoryName(file)!, "mutated-" + Path.GetFileName(file));
            Bounded(() =>
            {
                ScenarioDefinition scenario;
                try
                {
                    scenario = ScenarioParser.Parse(text, name, name.EndsWith(".json", StringComparison.Ordinal));
                }
                catch (ScenarioFormatException refusal)
                {
                    AssertOneLine(refusal.Message, name);
                    return;
                }
                try
                {
                    new ScenarioRunner(scenario, name, new ModelScenarioEngine()).RunAsync().GetAwaiter().GetResult();
                }
                catch (ScenarioFormatException refusal)
                {
                    AssertOneLine(refusal.Message, name);
                }
            });
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void A_mutated_topology_is_read_or_refused_in_one_line()
    {
        Mutated(Topologies).Sample((_, text) => Bounded(() =>
        {
            try
            {
                NumaTopology.Parse(text);
            }
            catch (TopologyFormatException refusal)
            {
                AssertOneLine(refusal.Message, null);
            }
        }), iter: 300, threads: 1);
    }

    [Fact]
    public void A_mutated_machine_file_is_read_or_refused_in_one_line()
    {
        Assert.Equal(3, Machines.Length);
        Mutated(Machines).Sample((file, text) => Bounded(() =>
        {
            LoadedMachine machine;
            try
            {
                machine = MachineFile.Parse(file, text);
            }
            catch (UsageException refusal)
            {
                AssertOneLine(refusal.Message, file);
                return;
            }
            // What is read is a machine the simulation can cost: every bound holds.
            Assert.Null(machine.Profile.Validate());
            Assert.InRange(machine.Profile.Nodes, 1, MachineFile.MaxNodes);
            Assert.All(machine.Profile.Distances().SelectMany(row => row), d => Assert.InRange(d, 10, 255));
            _ = new Memory.Cost.CostModel(machine.Profile);
        }), iter: 400, threads: 1);
    }

    /// <summary>A trace file of two traces over two OTLP/JSON lines, as the file exporter writes them.</summary>
    private static readonly string Trace = TraceCommandTests.File2Traces();

    private static Gen<string> MutatedTrace =>
        Gen.Select(Gen.Int[0, FileMutation.Kinds - 1], Gen.Int, Gen.Int[1, 3], (kind, seed, times) =>
        {
            var text = Trace;
            for (int n = 0; n < times; n++)
            {
                text = FileMutation.Apply(text, (kind + n) % FileMutation.Kinds, seed + n);
            }
            return text;
        });

    [Fact]
    public void A_mutated_trace_file_is_drawn_or_refused_in_one_line()
    {
        using var directory = new TempDirectory();
        var path = directory.File("mutated.jsonl");
        MutatedTrace.Sample(text =>
        {
            File.WriteAllText(path, text);
            Bounded(() =>
            {
                TraceFile trace;
                try
                {
                    trace = TraceFile.Read(path);
                }
                catch (TraceFileFormatException refusal)
                {
                    AssertOneLine(refusal.Message, path);
                    return;
                }
                if (trace.CutLineWarning is { } warning)
                {
                    AssertOneLine(warning, path);
                }
                using var writer = new StringWriter();
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
                new SpanTreeRenderer().Render(trace.Spans, console);
            });
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task The_command_on_mutated_files_exits_0_or_2_in_one_line_and_leaves_them_as_they_were()
    {
        using var directory = new TempDirectory();
        var cases = new List<(string[] Args, string Path)>();
        foreach (var (kind, files) in new[] { ("scenario", Scenarios), ("topology", Topologies) })
        {
            // Six files of each kind, each with one mutation, the kinds taken in turn (fixed seeds:
            // the in-process properties above are the random search).
            for (int n = 0; n < 6; n++)
            {
                var file = files[n * 7 % files.Length];
                var path = directory.Write($"{kind}-{n}{Path.GetExtension(file)}", FileMutation.Apply(File.ReadAllText(file), n % FileMutation.Kinds, 1000 + n));
                cases.Add((kind == "scenario" ? ["scenario", path, "--engine", "model"] : ["topology", "show", path], path));
            }
        }
        for (int n = 0; n < 6; n++)
        {
            var path = directory.Write($"trace-{n}.jsonl", FileMutation.Apply(Trace, n % FileMutation.Kinds, 2000 + n));
            cases.Add((["trace", "show", path], path));
        }
        for (int n = 0; n < 6; n++)
        {
            // The machine files through run: a mutation that is read must still run in bounded time.
            var path = directory.Write($"machine-{n}.yaml", FileMutation.Apply(File.ReadAllText(Machines[n % Machines.Length]), (n + 3) % FileMutation.Kinds, 3000 + n));
            cases.Add((["run", "--machine", path, "--pages", "64"], path));
        }
        foreach (var (args, path) in cases)
        {
            var before = File.ReadAllBytes(path);
            var watch = Stopwatch.StartNew();

            var result = await CliProcess.RunAsync(args);

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{string.Join(' ', args)} took {watch.Elapsed}");
            Assert.True(result.StderrLines.Length <= 1, $"{string.Join(' ', args)}: {result.Stderr}");
            Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
            var expectationsBroken = result.ExitCode == 1 && result.Stderr.Contains("expectations not met", StringComparison.Ordinal);
            Assert.True(result.ExitCode is 0 or 2 || expectationsBroken, $"{string.Join(' ', args)}: exit {result.ExitCode}: {result.Stderr}");
            Assert.Equal(before, File.ReadAllBytes(path));
        }
    }

    private static void AssertOneLine(string message, string? file)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotMatch(CliProcess.StackFrame, message);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        if (file is not null)
        {
            Assert.StartsWith(file, message, StringComparison.Ordinal);
        }
    }

    /// <summary>Runs <paramref name="check"/> on its own thread: a hang or a runaway allocation fails the case instead of the suite.</summary>
    private static void Bounded(Action check)
    {
        long allocated = 0;
        var task = Task.Factory.StartNew(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            check();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(task.Wait(HangBound), $"no answer within {HangBound}");
        task.GetAwaiter().GetResult();
        Assert.True(allocated < MemoryBound, $"{allocated:N0} bytes allocated");
    }
}
