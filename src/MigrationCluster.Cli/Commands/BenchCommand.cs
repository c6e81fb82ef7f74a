using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MigrationCluster.Cli.Bench;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>bench</c>: performance measurements. Subcommands: <c>model</c>.</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions ModelJsonOptions = new() { WriteIndented = true };

    public static Command Create()
    {
        var bench = new Command("bench", "Measure performance.");
        bench.Subcommands.Add(CreateModel());
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
        var command = new Command("model", "Pages per second the memory model migrates against a floor of bare page copies, and bytes it holds per page.")
        {
            json,
            pages,
            largePages,
        };
        command.SetAction(parseResult =>
        {
            var options = new ModelBenchOptions
            {
                Pages = parseResult.GetValue(pages),
                LargeModelPages = parseResult.GetValue(largePages),
            };
            try
            {
                options.Validate();
            }
            catch (ArgumentException exception)
            {
                throw new UsageException(exception.Message, exception);
            }

            var path = parseResult.GetRequiredValue(json).FullName;
            // Create the file first: an unwritable path fails now, not after the measurement.
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var output = File.Create(path);
            ModelBenchResult result = ModelBench.Run(options);
            JsonSerializer.Serialize(output, result, ModelJsonOptions);
            AnsiConsole.Write(ToModelTable(result));
            return ExitCodes.Success;
        });
        return command;
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
