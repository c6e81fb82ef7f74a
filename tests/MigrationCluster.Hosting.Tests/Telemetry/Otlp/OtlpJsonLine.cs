using System.Text.Json.Nodes;
using Google.Protobuf;

namespace MigrationCluster.Hosting.Tests.Telemetry.Otlp;

/// <summary>
/// Parses one line of an OTLP/JSON file as an <see cref="ExportTraceServiceRequest"/> with
/// Google.Protobuf's strict JSON parser (unknown fields, wrong types and bad enumerations fail)
/// over our compiled OTLP protos. OTLP/JSON differs from the protobuf JSON mapping in one point:
/// trace and span ids are hex, not base64. So the ids are checked as hex of the right length
/// first, then handed to the parser as base64, as the collector's own reader decodes them.
/// </summary>
internal static class OtlpJsonLine
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static ExportTraceServiceRequest Parse(string line)
    {
        var root = JsonNode.Parse(line) ?? throw new InvalidDataException("the line is JSON null");
        foreach (var resourceSpans in Array(root, "resourceSpans"))
        {
            foreach (var scopeSpans in Array(resourceSpans, "scopeSpans"))
            {
                foreach (var span in Array(scopeSpans, "spans"))
                {
                    HexToBase64(span, "traceId", 32, required: true);
                    HexToBase64(span, "spanId", 16, required: true);
                    HexToBase64(span, "parentSpanId", 16, required: false);
                    foreach (var link in Array(span, "links"))
                    {
                        HexToBase64(link, "traceId", 32, required: true);
                        HexToBase64(link, "spanId", 16, required: true);
                    }
                }
            }
        }

        return Parser.Parse<ExportTraceServiceRequest>(root.ToJsonString());
    }

    private static IEnumerable<JsonNode> Array(JsonNode parent, string name) =>
        parent[name] is JsonArray array ? array.Select(item => item ?? throw new InvalidDataException($"null in {name}")) : [];

    private static void HexToBase64(JsonNode holder, string name, int length, bool required)
    {
        var text = holder[name]?.GetValue<string>();
        if (text is null or "")
        {
            Assert.False(required, $"'{name}' is missing");
            return;
        }

        Assert.Matches($"^[0-9a-f]{{{length}}}$", text);
        holder[name] = Convert.ToBase64String(Convert.FromHexString(text));
    }
}
