using System.Text.Json;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Sqlite;

/// <summary>
/// The suspicion votes of a row as a JSON array of <c>{"silo": parsable address, "time": UTC}</c>,
/// in the order Orleans keeps them. A null list stays NULL, so an entry reads back as it was written.
/// </summary>
internal static class SuspectTimesJson
{
    private const string SiloProperty = "silo";
    private const string TimeProperty = "time";

    public static string? Serialize(List<Tuple<SiloAddress, DateTime>>? votes)
    {
        if (votes is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (silo, time) in votes)
            {
                writer.WriteStartObject();
                writer.WriteString(SiloProperty, silo.ToParsableString());
                writer.WriteString(TimeProperty, UtcTimeText.Format(time));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static List<Tuple<SiloAddress, DateTime>>? Deserialize(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var votes = new List<Tuple<SiloAddress, DateTime>>(document.RootElement.GetArrayLength());
        foreach (var vote in document.RootElement.EnumerateArray())
        {
            var silo = SiloAddress.FromParsableString(vote.GetProperty(SiloProperty).GetString()!);
            var time = UtcTimeText.Parse(vote.GetProperty(TimeProperty).GetString()!);
            votes.Add(Tuple.Create(silo, time));
        }

        return votes;
    }
}
