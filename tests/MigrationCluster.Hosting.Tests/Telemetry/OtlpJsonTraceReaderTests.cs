using System.Diagnostics;
using System.Text;
using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class OtlpJsonTraceReaderTests
{
    private const string TraceA = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static string Span(string spanId, string parent = "", string name = "lock_page", string start = "\"1000\"", string end = "\"2500\"", string extra = "") =>
        "{\"traceId\":\"" + TraceA + "\",\"spanId\":\"" + spanId + "\""
        + (parent.Length > 0 ? ",\"parentSpanId\":\"" + parent + "\"" : "")
        + ",\"name\":\"" + name + "\",\"kind\":1,\"startTimeUnixNano\":" + start + ",\"endTimeUnixNano\":" + end + extra + "}";

    private static string Request(string service, params (string Scope, string[] Spans)[] scopes) =>
        "{\"resourceSpans\":[" + Resource(service, scopes) + "]}";

    private static string Resource(string service, params (string Scope, string[] Spans)[] scopes) =>
        "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service + "\"}}]},\"scopeSpans\":["
        + string.Join(",", scopes.Select(s => "{\"scope\":{\"name\":\"" + s.Scope + "\"},\"spans\":[" + string.Join(",", s.Spans) + "]}"))
        + "]}";

    private static TraceFile Read(string text, long maxBytes = TraceFile.DefaultMaxBytes) =>
        OtlpJsonTraceReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "t.jsonl", maxBytes);

    [Fact]
    public void Several_resources_and_scopes_per_line_and_many_lines_are_all_read()
    {
        var twoResources = "{\"resourceSpans\":["
            + Resource("silo1", ("MigrationCluster.Migration", [Span("0000000000000001"), Span("0000000000000002", "0000000000000001")]), ("Microsoft.Orleans.Application", [Span("0000000000000003", "0000000000000002")]))
            + ","
            + Resource("silo2", ("Microsoft.Orleans.Application", [Span("0000000000000004", "0000000000000003")]))
            + "]}";
        var text = "\n" + twoResources + "\n\n" + Request("cli", ("MigrationCluster.Migration", [Span("0000000000000005", "0000000000000001")])) + "\n";

        var trace = Read(text);

        Assert.Null(trace.CutLineNumber);
        Assert.Equal(["0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004", "0000000000000005"], trace.Spans.Select(s => s.SpanId));
        Assert.Equal(["silo1", "silo1", "silo1", "silo2", "cli"], trace.Spans.Select(s => s.ServiceName));
        Assert.Equal(["MigrationCluster.Migration", "MigrationCluster.Migration", "Microsoft.Orleans.Application", "Microsoft.Orleans.Application", "MigrationCluster.Migration"], trace.Spans.Select(s => s.ScopeName));
        Assert.Equal(1000, trace.Spans[0].StartTimeUnixNano);
        Assert.Equal(TimeSpan.FromTicks(15), trace.Spans[0].Duration);
        Assert.True(trace.Spans[0].IsRoot);
        Assert.Equal("0000000000000001", trace.Spans[1].ParentSpanId);
    }

    [Fact]
    public void What_the_protobuf_JSON_mapping_also_allows_is_read_too()
    {
        // Numbers for 64-bit fields, enumeration names, upper-case hex, unknown fields, an empty request.
        var span = $$$"""{"traceId":"{{{TraceA.ToUpperInvariant()}}}","spanId":"00F067AA0BA902B7","name":"x","kind":"SPAN_KIND_SERVER","startTimeUnixNano":1000,"endTimeUnixNano":2000,"droppedAttributesCount":0,"status":{"code":"STATUS_CODE_ERROR","message":"EAGAIN"},"attributes":[{"key":"n","value":{"intValue":17}},{"key":"d","value":{"doubleValue":"NaN"}},{"key":"e","value":{}}]}""";
        var trace = Read("""{"resourceSpans":[]}""" + "\n" + Request("svc", ("s", [span])) + "\n");

        var record = Assert.Single(trace.Spans);
        Assert.Equal(TraceA, record.TraceId);
        Assert.Equal("00f067aa0ba902b7", record.SpanId);
        Assert.Equal(ActivityKind.Server, record.Kind);
        Assert.Equal(ActivityStatusCode.Error, record.Status);
        Assert.Equal("EAGAIN", record.StatusDescription);
        Assert.Equal(17L, record.GetAttribute("n"));
        Assert.True(double.IsNaN((double)record.GetAttribute("d")!));
        Assert.Null(record.GetAttribute("e"));
    }

    [Fact]
    public void A_cut_last_line_is_left_out_and_the_spans_before_it_are_kept()
    {
        var whole = Request("svc", ("s", [Span("0000000000000001"), Span("0000000000000002", "0000000000000001")]));
        var next = Request("svc", ("s", [Span("0000000000000003", "0000000000000001", extra: ",\"attributes\":[{\"key\":\"note\",\"value\":{\"stringValue\":\"ünïcode\"}}]")]));

        // Cut anywhere: in a name, a number, a multi-byte character, between fields.
        var nextBytes = Encoding.UTF8.GetBytes(next);
        foreach (var cutAt in new[] { 1, 30, nextBytes.Length / 2, Array.IndexOf(nextBytes, (byte)0xC3) + 1, nextBytes.Length - 1 })
        {
            var bytes = Encoding.UTF8.GetBytes(whole + "\n").Concat(nextBytes.Take(cutAt)).ToArray();
            var trace = OtlpJsonTraceReader.Read(new MemoryStream(bytes), "t.jsonl");
            Assert.Equal(2, trace.CutLineNumber);
            Assert.Equal(2, trace.Spans.Count);
            Assert.StartsWith("t.jsonl:2: the last line is cut short", trace.CutLineWarning, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', trace.CutLineWarning!);
        }

        // The same line whole, without its newline, is read.
        Assert.Equal(3, Read(whole + "\n" + next).Spans.Count);
    }

    [Fact]
    public void A_cut_line_that_is_not_the_last_is_an_error()
    {
        var whole = Request("svc", ("s", [Span("0000000000000001")]));
        var error = Assert.Throws<TraceFileFormatException>(() => Read(whole + "\n" + whole[..40] + "\n" + whole + "\n"));
        Assert.Equal(2, error.LineNumber);
        Assert.StartsWith("t.jsonl:2: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "expected an ExportTraceServiceRequest object")]
    [InlineData("""{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"x","kind":"internal","startTimeUnixNano":1,"endTimeUnixNano":2}""", "missing 'resourceSpans'")]
    [InlineData("""{"resourceSpans":{}}""", "'resourceSpans' must be an array")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}""", "missing 'spanId'")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"XYZ","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}""", "'traceId' is 'XYZ'")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","kind":9,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}""", "'kind' is 9")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1.5","endTimeUnixNano":"2"}]}]}]}""", "'startTimeUnixNano' must be a whole number")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"5","endTimeUnixNano":"2"}]}]}]}""", "before")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":7}}]}]}]}""", "'status.code' is 7")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":{"a":1}}]}]}]}""", "'attributes' must be an array")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"a","value":{"intValue":"x"}}]}]}]}]}""", "attribute 'a': intValue")]
    public void A_malformed_line_gives_a_one_line_error_with_its_line_number(string badLine, string reason)
    {
        var good = Request("svc", ("s", [Span("0000000000000001")]));

        var error = Assert.Throws<TraceFileFormatException>(() => Read(good + "\n\n" + badLine + "\n" + good + "\n"));

        Assert.Equal(3, error.LineNumber);
        Assert.StartsWith("t.jsonl:3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
    }

    [Fact]
    public void A_device_is_refused_before_it_is_read()
    {
        var error = Assert.Throws<TraceFileFormatException>(() => TraceFile.Read("/dev/zero"));
        Assert.Equal("/dev/zero: not a regular file (a character device); a trace file must be a regular file", error.Message);
    }

    [Fact]
    public void A_FIFO_is_refused_without_waiting_for_a_writer()
    {
        using var file = new TempFile("trace.fifo");
        using (var mkfifo = Process.Start("mkfifo", [file.Path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var error = Assert.Throws<TraceFileFormatException>(() => TraceFile.Read(file.Path));
        Assert.Contains("not a regular file (a FIFO)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_limit_is_refused_before_it_is_read()
    {
        using var file = new TempFile();
        File.WriteAllText(file.Path, Request("svc", ("s", [Span("0000000000000001")])) + "\n");

        var error = Assert.Throws<TraceFileFormatException>(() => TraceFile.Read(file.Path, maxBytes: 100));
        Assert.StartsWith($"{file.Path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than the limit of 100 bytes", error.Message, StringComparison.Ordinal);
        Assert.Single(TraceFile.Read(file.Path).Spans);
    }

    [Fact]
    public void A_stream_that_never_ends_stops_at_the_limit()
    {
        using var endless = new EndlessStream();

        var error = Assert.Throws<TraceFileFormatException>(() => OtlpJsonTraceReader.Read(endless, "pipe", maxBytes: 8 << 20));

        Assert.Contains("more than the limit of 8,388,608 bytes", error.Message, StringComparison.Ordinal);
        Assert.True(endless.BytesRead <= (8 << 20) + (64 << 10), $"read {endless.BytesRead} bytes");
    }

    /// <summary>Zeros forever, like /dev/zero read through a pipe.</summary>
    private sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
