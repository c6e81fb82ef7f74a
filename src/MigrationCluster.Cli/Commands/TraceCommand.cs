using System.CommandLine;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>trace show FILE [--trace-id ID] [--all-attributes]</c>: a JSON-lines trace file as indented span trees.</summary>
public static class TraceCommand
{
    public static Command Create()
    {
        var trace = new Command("trace", "Read trace files written with --trace jsonl:PATH.");
        trace.Subcommands.Add(CreateShow());
        return trace;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A JSON-lines span file (one span per line)." };
        var traceId = new Option<string>("--trace-id") { Description = "Only the trace with this id.", HelpName = "ID" };
        var allAttributes = new Option<bool>("--all-attributes") { Description = "Show every attribute under its full name, not only the key ones." };
        var command = new Command("show", "Print the spans as one indented tree per trace, with durations.")
        {
            file,
            traceId,
            allAttributes,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            var id = parseResult.GetValue(traceId);
            if (!File.Exists(path))
            {
                throw new UsageException($"{path}: no such trace file");
            }

            var renderer = new SpanTreeRenderer(new SpanTreeRendererOptions { ShowAllAttributes = parseResult.GetValue(allAttributes) });
            int traces;
            try
            {
                traces = renderer.RenderFile(path, Console.Out, id);
            }
            catch (TraceFileFormatException exception)
            {
                throw new UsageException(exception.Message, exception);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{path}: cannot read the trace file ({exception.Message})", exception);
            }

            if (traces == 0 && id is not null)
            {
                throw new UsageException($"no trace {id} in {path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
