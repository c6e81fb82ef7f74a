using System.Globalization;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// Times as fixed-width UTC ISO 8601 text with all seven fractional digits: exact to the tick,
/// sortable as text, and readable by anyone who opens the file with the sqlite3 shell.
/// </summary>
internal static class UtcTimeText
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTime time) => ToUtc(time).ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTime Parse(string text) =>
        DateTime.ParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Orleans stamps entries with UTC; an unspecified kind is taken as UTC rather than shifted by the local zone.</summary>
    public static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };
}
