using System.Globalization;
using CsvHelper;

namespace MigrationCluster.Cli.Tests.Experiments;

/// <summary>results.csv as read back by a CSV reader: the header and each row by column name.</summary>
internal sealed record ResultsCsv(string[] Header, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows)
{
    public static ResultsCsv Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        Assert.True(csv.Read(), "results.csv is empty");
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(header.ToDictionary(h => h, h => csv.GetField(h)!));
        }
        return new ResultsCsv(header, rows);
    }

    public static double Number(IReadOnlyDictionary<string, string> row, string column) =>
        double.Parse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture);

    public static long Integer(IReadOnlyDictionary<string, string> row, string column) =>
        long.Parse(row[column], NumberStyles.Integer, CultureInfo.InvariantCulture);
}
