using System.CommandLine;
using System.Text.Json;
using MigrationCluster.Experiments.Calibration;
using MigrationCluster.Hosting.Io;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>calibrate</c>: published migration measurements beside the presets' simulated ones; exit 1 when one is outside its tolerance.</summary>
public static class CalibrateCommand
{
    public static Command Create()
    {
        var json = new Option<FileInfo?>("--json") { Description = "Write the rows here as JSON.", HelpName = "PATH" };
        var command = new Command("calibrate", "Rerun published move_pages measurements on the machine presets and show the error of each.") { json };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(json)?.FullName;
            new PathRoles().Output("--json", path).Check();
            using var interrupt = InterruptSignals.Notify("the calibration was abandoned (nothing written)");
            var rows = CalibrationRunner.RunAsync().GetAwaiter().GetResult();
            var table = new Table().Title("calibration: published vs simulated").AddColumn("source").AddColumn("machine").AddColumn("figure")
                .AddColumn(new TableColumn("published").RightAligned()).AddColumn(new TableColumn("simulated").RightAligned()).AddColumn(new TableColumn("error").RightAligned()).AddColumn("tolerance").AddColumn("within");
            foreach (var r in rows)
            {
                table.AddRow(Markup.Escape(r.Source), r.Machine, Markup.Escape(r.Figure), $"{r.Published:G6} {r.Unit}", $"{r.Simulated:G6} {r.Unit}", $"{r.RelativeError * 100:+0.0;-0.0;0.0} %", Markup.Escape(r.Tolerance), r.Within ? "[green]yes[/]" : "[red]no[/]");
            }
            AnsiConsole.Write(table);
            if (path is not null)
            {
                OutputFile.WriteAllText(path, JsonSerializer.Serialize(new { rows }, new JsonSerializerOptions { WriteIndented = true }));
            }
            var outside = rows.Where(r => !r.Within).ToArray();
            return outside.Length == 0 ? ExitCodes.Success : CommandRunner.Fail(ExitCodes.Failure, $"{outside.Length} figures outside their tolerance: {string.Join("; ", outside.Select(r => $"{r.Figure} ({r.RelativeError * 100:+0.0;-0.0;0.0} %)"))}");
        });
        return command;
    }
}
