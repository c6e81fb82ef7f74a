using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MigrationCluster.Cli.Bench;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>bench</c>: performance measurements. Subcommands: <c>runtime</c>.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure performance.");
        bench.Subcommands.Add(CreateRuntime());
        return bench;
    }

    private static Command CreateRuntime()
    {
        var json = new Option<FileInfo>("--json")
        {
            Description = "Where to write the results as JSON.",
            HelpName = "PATH",
            Required = true,
        };
        var duration = new Option<double>("--duration")
        {
            Description = "Seconds to measure each case (after a short warm-up).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => RuntimeBenchOptions.DefaultDurationSeconds,
            CustomParser = ParseDuration,
        };
        var command = new Command("runtime", "Grain calls through the runtime against a floor of bare channel actors, with tracing off and always on.")
        {
            json,
            duration,
        };
        command.SetAction(parseResult =>
        {
            var options = new RuntimeBenchOptions
            {
                DurationSeconds = parseResult.GetValue(duration),
                JsonPath = parseResult.GetRequiredValue(json).FullName,
            };
            // Open the report file first: an unwritable path fails now, not after a minute of measuring.
            using var output = RuntimeBenchReport.CreateJsonFile(options.JsonPath);
            var report = RuntimeBench.RunAsync(options, step => Console.Error.WriteLine($"bench runtime: {step}")).GetAwaiter().GetResult();
            report.WriteJson(output);
            AnsiConsole.Write(report.ToTable());
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Seconds, invariant culture, within the bench's limits; anything else is a parse error (exit 2).</summary>
    private static double ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds) || seconds <= 0 || seconds > RuntimeBenchOptions.MaxDurationSeconds)
        {
            result.AddError($"--duration must be a number of seconds more than 0 and at most {RuntimeBenchOptions.MaxDurationSeconds} (was '{text}').");
            return 0;
        }
        return seconds;
    }
}
