using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace MigrationCluster.Cli.Bench;

/// <summary>The outcome of <c>bench runtime</c>: as JSON for machines, as a table for people.</summary>
public sealed record RuntimeBenchReport(IReadOnlyList<ShapeResult> Shapes, MachineInfo Machine)
{
    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("shapes");
        foreach (var shape in Shapes)
        {
            json.WriteStartObject(shape.Name);
            json.WriteNumber("floor_calls_per_s", Round(shape.Floor.CallsPerSecond));
            json.WriteNumber("grain_calls_per_s", Round(shape.Grain.CallsPerSecond));
            json.WriteNumber("ratio", Round(shape.Ratio, 4));
            json.WriteNumber("p50_us", Round(shape.Grain.P50Microseconds, 2));
            json.WriteNumber("p99_us", Round(shape.Grain.P99Microseconds, 2));
            json.WriteNumber("floor_p50_us", Round(shape.Floor.P50Microseconds, 2));
            json.WriteNumber("floor_p99_us", Round(shape.Floor.P99Microseconds, 2));
            json.WriteNumber("traced_grain_calls_per_s", Round(shape.TracedGrain.CallsPerSecond));
            json.WriteNumber("traced_ratio", Round(shape.TracedRatio, 4));
            json.WriteNumber("traced_p50_us", Round(shape.TracedGrain.P50Microseconds, 2));
            json.WriteNumber("traced_p99_us", Round(shape.TracedGrain.P99Microseconds, 2));
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartObject("machine");
        json.WriteNumber("processor_count", Machine.ProcessorCount);
        json.WriteString("os", Machine.OperatingSystem);
        json.WriteString("architecture", Machine.Architecture);
        json.WriteString("framework", Machine.Framework);
        json.WriteBoolean("server_gc", Machine.ServerGc);
        json.WriteBoolean("concurrent_gc", Machine.ConcurrentGc);
        json.WriteNumber("duration_s_per_case", Machine.DurationSecondsPerCase);
        json.WriteNumber("warmup_s_per_case", Machine.WarmupSecondsPerCase);
        json.WriteNumber("rounds_per_case", Machine.RoundsPerCase);
        json.WriteString("started_at", Machine.StartedAt);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Creates (or truncates) the JSON file, and its directory if need be.</summary>
    public static FileStream CreateJsonFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        return File.Create(path);
    }

    public Table ToTable()
    {
        var table = new Table().Title("grain runtime vs channel-actor floor");
        table.AddColumn("shape");
        table.AddColumn("case");
        table.AddColumn(new TableColumn("calls/s").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn(new TableColumn("p50 µs").RightAligned());
        table.AddColumn(new TableColumn("p99 µs").RightAligned());
        foreach (var shape in Shapes)
        {
            AddRow(table, shape.Name, "floor", shape.Floor, null);
            AddRow(table, string.Empty, "grain", shape.Grain, shape.Ratio);
            AddRow(table, string.Empty, "grain, traced", shape.TracedGrain, shape.TracedRatio);
        }
        return table;
    }

    private static void AddRow(Table table, string shape, string label, CaseResult result, double? ratio) =>
        table.AddRow(
            Markup.Escape(shape),
            Markup.Escape(label),
            result.CallsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
            ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-",
            result.P50Microseconds.ToString("0.0", CultureInfo.InvariantCulture),
            result.P99Microseconds.ToString("0.0", CultureInfo.InvariantCulture));

    private static double Round(double value, int digits = 0) => Math.Round(value, digits, MidpointRounding.AwayFromZero);
}
