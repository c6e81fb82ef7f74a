using System.CommandLine;
using System.Globalization;
using MigrationCluster.Cli.Trace;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>trace show FILE [--trace-id ID] [--all-attributes] [--max-depth N] [--max-size BYTES]</c>:
/// an OTLP/JSON lines trace file (from <c>--trace jsonl:PATH</c>, or a collector's file exporter)
/// as one span tree per trace.
/// </summary>
public static class TraceCommand
{
    /// <summary>Redirected output is not wrapped at 80 columns: one span a line, however long.</summary>
    private const int RedirectedWidth = 65_536;

    public static Command Create()
    {
        var trace = new Command("trace", "Read trace files written with --trace jsonl:PATH (OTLP/JSON lines).");
        trace.Subcommands.Add(CreateShow());
        return trace;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "An OTLP/JSON lines file: one ExportTraceServiceRequest per line." };
        var traceId = new Option<string>("--trace-id") { Description = "Only the trace with this id.", HelpName = "ID" };
        var allAttributes = new Option<bool>("--all-attributes") { Description = "Show every attribute under its full name, not only the key ones." };
        var maxDepth = new Option<int>("--max-depth")
        {
            Description = "Levels of spans drawn below a root; deeper subtrees become one line that counts them.",
            HelpName = "N",
            DefaultValueFactory = _ => SpanTreeRendererOptions.DefaultMaxDepth,
        };
        var maxSize = new Option<long>("--max-size")
        {
            Description = "Refuse a trace file larger than this many bytes (default 1 GiB).",
            HelpName = "BYTES",
            DefaultValueFactory = _ => TraceFile.DefaultMaxBytes,
        };
        var command = new Command("show", "Print the spans as one tree per trace, with durations.")
        {
            file,
            traceId,
            allAttributes,
            maxDepth,
            maxSize,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            var id = parseResult.GetValue(traceId);
            var depth = parseResult.GetValue(maxDepth);
            var limit = parseResult.GetValue(maxSize);
            if (depth < 1)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-depth must be at least 1 (was {depth})"));
            }

            if (limit < 1)
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-size must be at least 1 byte (was {limit})"));
            }

            if (!File.Exists(path))
            {
                throw new UsageException(Directory.Exists(path) ? $"{path}: a directory, not a trace file" : $"{path}: no such trace file");
            }

            TraceFile trace;
            try
            {
                trace = TraceFile.Read(path, limit);
            }
            catch (TraceFileFormatException exception)
            {
                throw new UsageException(exception.Message, exception);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{path}: cannot read the trace file ({exception.Message})", exception);
            }

            if (trace.CutLineWarning is { } warning)
            {
                Console.Error.WriteLine($"migration-cluster: warning: {warning}");
            }

            var renderer = new SpanTreeRenderer(new SpanTreeRendererOptions { ShowAllAttributes = parseResult.GetValue(allAttributes), MaxDepth = depth });
            if (renderer.Render(trace.Spans, CreateConsole(), id) == 0 && id is not null)
            {
                throw new UsageException($"no trace {id} in {path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Standard output; when it is redirected, no colour codes and no wrapping.</summary>
    private static IAnsiConsole CreateConsole()
    {
        var redirected = Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
