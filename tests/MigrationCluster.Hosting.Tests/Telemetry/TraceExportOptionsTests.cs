using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class TraceExportOptionsTests
{
    [Fact]
    public void None_means_no_exporter()
    {
        var options = TraceExportOptions.Parse("none");
        Assert.True(options.IsNone);
        Assert.Empty(options.Targets);
        Assert.Equal("none", options.ToString());
    }

    [Theory]
    [InlineData("console", "console")]
    [InlineData("OTLP", "otlp")]
    [InlineData("jsonl:trace.jsonl", "jsonl:trace.jsonl")]
    [InlineData(" console , jsonl:/tmp/a b.jsonl ,otlp", "console,jsonl:/tmp/a b.jsonl,otlp")]
    [InlineData("jsonl:a.jsonl,jsonl:b.jsonl", "jsonl:a.jsonl,jsonl:b.jsonl")]
    [InlineData("jsonl:C:/traces/run.jsonl", "jsonl:C:/traces/run.jsonl")]
    public void Accepted_forms_parse_to_their_canonical_text(string value, string canonical)
    {
        var options = TraceExportOptions.Parse(value);
        Assert.Equal(canonical, options.ToString());
        options.Validate();
    }

    [Fact]
    public void Several_targets_keep_their_order_and_paths()
    {
        var options = TraceExportOptions.Parse("console,jsonl:out/run.jsonl,otlp");
        Assert.Equal(
            [TraceExportTarget.Console, TraceExportTarget.JsonLines("out/run.jsonl"), TraceExportTarget.Otlp],
            options.Targets);
    }

    [Theory]
    [InlineData("zipkin", "'zipkin'")]
    [InlineData("console,jaeger", "'jaeger'")]
    [InlineData("jsonl:", "'jsonl:'")]
    [InlineData("jsonl", "'jsonl'")]
    [InlineData("", "''")]
    [InlineData("console,,otlp", "'console,,otlp'")]
    [InlineData("console,console", "'console'")]
    [InlineData("none,console", "'none,console'")]
    public void Bad_values_give_a_one_line_argument_error_naming_the_value_and_the_accepted_forms(string value, string quoted)
    {
        var error = Assert.Throws<TraceExportOptionException>(() => TraceExportOptions.Parse(value));
        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.StartsWith("Invalid --trace value " + quoted, error.Message, StringComparison.Ordinal);
        Assert.Contains(TraceExportOptions.AcceptedForms, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Validate_rejects_a_jsonl_target_without_a_path()
    {
        var options = new TraceExportOptions { Targets = [new TraceExportTarget(TraceExportKind.JsonLines)] };
        var error = Assert.Throws<TraceExportOptionException>(options.Validate);
        Assert.Contains("jsonl:PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_returns_no_session_for_none()
    {
        Assert.Null(MigrationClusterTracing.Start(TraceExportOptions.None, ["x"], "svc"));
    }
}
