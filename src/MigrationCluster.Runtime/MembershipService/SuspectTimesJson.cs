using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// SuspectTimes as a JSON text column: <c>[{"silo":"S127.0.0.1:11111:5","time":"2025-01-01T00:00:00.0000000+00:00"}]</c>.
/// Written by hand so that no reflection-based serializer is involved.
/// </summary>
internal static class SuspectTimesJson
{
    private const string SiloProperty = "silo";
    private const string TimeProperty = "time";

    public static string Serialize(IEnumerable<SuspectTime> suspectTimes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var suspect in suspectTimes)
            {
                writer.WriteStartObject();
                writer.WriteString(SiloProperty, suspect.Suspecter.ToString());
                writer.WriteString(TimeProperty, suspect.Time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static List<SuspectTime> Parse(string json)
    {
        List<SuspectTime> result = [];
        if (string.IsNullOrWhiteSpace(json))
        {
            return result;
        }

        using var document = JsonDocument.Parse(json);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var silo = SiloAddress.Parse(element.GetProperty(SiloProperty).GetString() ?? "");
            var time = DateTimeOffset.Parse(element.GetProperty(TimeProperty).GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            result.Add(new SuspectTime(silo, time));
        }

        return result;
    }
}
