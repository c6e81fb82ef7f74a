using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class JsonLinesTraceReaderTests
{
    private const string GoodLine =
        """{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","parentSpanId":"","name":"migrate_pages","kind":"internal","startTimeUnixNano":1000,"endTimeUnixNano":"2500","status":"unset","attributes":{},"events":[]}""";

    [Fact]
    public void Blank_lines_are_skipped_and_integers_may_be_strings()
    {
        using var reader = new StringReader("\n" + GoodLine + "\n\n" + GoodLine.Replace("00f067aa0ba902b7", "00f067aa0ba902b8", StringComparison.Ordinal) + "\n");
        var spans = JsonLinesTraceReader.Read(reader, "t.jsonl").ToList();
        Assert.Equal(2, spans.Count);
        Assert.Equal(1000, spans[0].StartTimeUnixNano);
        Assert.Equal(2500, spans[0].EndTimeUnixNano);
        Assert.Equal(TimeSpan.FromTicks(15), spans[0].Duration);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"x","kind":"internal","startTimeUnixNano":1,"endTimeUnixNano":2}""", "missing 'spanId'")]
    [InlineData("""{"traceId":"XYZ","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":1,"endTimeUnixNano":2}""", "'traceId' is 'XYZ'")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"sideways","startTimeUnixNano":1,"endTimeUnixNano":2}""", "'kind' is 'sideways'")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":1.5,"endTimeUnixNano":2}""", "'startTimeUnixNano' must be an integer")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":5,"endTimeUnixNano":2}""", "before")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":1,"endTimeUnixNano":2,"status":"meh"}""", "'status' is 'meh'")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":1,"endTimeUnixNano":2,"attributes":{"a":{"b":1}}}""", "attribute 'a' is a nested object")]
    public void A_malformed_line_gives_a_one_line_error_with_its_line_number(string badLine, string reason)
    {
        using var file = new TempFile();
        File.WriteAllText(file.Path, GoodLine + "\n\n" + badLine + "\n" + GoodLine + "\n");

        var error = Assert.Throws<TraceFileFormatException>(() => JsonLinesTraceReader.ReadFile(file.Path));
        Assert.Equal(3, error.LineNumber);
        Assert.StartsWith(file.Path + ":3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
    }
}
