using System.Globalization;
using CsvHelper;

namespace MigrationCluster.Experiments;

/// <summary>results.csv: a header row, then one row per point and repeat, in <see cref="ExperimentColumns"/> order.</summary>
public static class ResultsCsvWriter
{
    public const string FileName = "results.csv";

    public static void Write(string path, IEnumerable<ExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var writer = new StreamWriter(path);
        Write(writer, rows);
    }

    public static void Write(TextWriter writer, IEnumerable<ExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var column in ExperimentColumns.All)
        {
            csv.WriteField(column.Name);
        }
        csv.NextRecord();
        foreach (var row in rows)
        {
            foreach (var column in ExperimentColumns.All)
            {
                csv.WriteField(column.Format(row));
            }
            csv.NextRecord();
        }
    }
}
