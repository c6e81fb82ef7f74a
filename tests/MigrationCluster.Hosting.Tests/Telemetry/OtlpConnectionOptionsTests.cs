using MigrationCluster.Hosting.Telemetry;
using OpenTelemetry.Exporter;

namespace MigrationCluster.Hosting.Tests.Telemetry;

/// <summary>The OTEL_* variables, read through a lookup so that no test touches the process environment.</summary>
public sealed class OtlpConnectionOptionsTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void Unset_defaults_to_http_protobuf_on_port_4318()
    {
        var options = OtlpConnectionOptions.FromEnvironment(Environment());
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://localhost:4318/v1/traces"), options.ResolveTracesEndpoint());
        Assert.Equal(new Uri("http://localhost:4318/v1/metrics"), options.ResolveMetricsEndpoint());
    }

    [Fact]
    public void Grpc_protocol_configures_the_grpc_exporter_on_port_4317()
    {
        var options = OtlpConnectionOptions.FromEnvironment(Environment((OtelEnvironment.OtlpProtocol, "grpc")));
        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);

        // gRPC names the service in its own path: the endpoint is the bare address.
        Assert.Equal(new Uri("http://localhost:4317/"), options.ResolveTracesEndpoint());

        var exporterOptions = options.CreateExporterOptions(options.ResolveTracesEndpoint());
        Assert.Equal(OtlpExportProtocol.Grpc, exporterOptions.Protocol);
        Assert.Equal(new Uri("http://localhost:4317/"), exporterOptions.Endpoint);
    }

    [Fact]
    public void Grpc_from_the_environment_builds_a_provider_with_the_otlp_exporter()
    {
        var environment = Environment((OtelEnvironment.OtlpProtocol, "grpc"), (OtelEnvironment.OtlpEndpoint, "http://127.0.0.1:1"));
        using var provider = MigrationClusterTracing.Build(
            TraceExportOptions.Parse("otlp"), ["MigrationCluster.Tests.Grpc." + Guid.NewGuid().ToString("N")], "svc", environment);
        Assert.NotNull(provider);
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/traces")]
    [InlineData("https://gateway.example/otlp", "https://gateway.example/otlp/v1/traces")]
    public void Base_endpoint_gets_the_signal_path_for_http_protobuf(string endpoint, string expected)
    {
        var options = OtlpConnectionOptions.FromEnvironment(
            Environment((OtelEnvironment.OtlpEndpoint, endpoint), (OtelEnvironment.OtlpProtocol, "http/protobuf")));
        Assert.Equal(new Uri(expected), options.ResolveTracesEndpoint());
    }

    [Fact]
    public void Signal_specific_variables_win_and_are_used_as_they_are()
    {
        var options = OtlpConnectionOptions.FromEnvironment(Environment(
            (OtelEnvironment.OtlpEndpoint, "http://base:4318"),
            (OtelEnvironment.OtlpTracesEndpoint, "http://traces:9999/custom"),
            (OtelEnvironment.OtlpProtocol, "grpc"),
            (OtelEnvironment.OtlpTracesProtocol, "http/protobuf")));
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://traces:9999/custom"), options.ResolveTracesEndpoint());
        Assert.Equal(new Uri("http://base:4318/v1/metrics"), options.ResolveMetricsEndpoint());
    }

    [Theory]
    [InlineData(OtelEnvironment.OtlpProtocol, "http/json")]
    [InlineData(OtelEnvironment.OtlpProtocol, "thrift")]
    [InlineData(OtelEnvironment.OtlpEndpoint, "collector:4318")]
    [InlineData(OtelEnvironment.OtlpEndpoint, "ftp://collector")]
    public void Bad_variables_name_the_variable_and_the_value(string variable, string value)
    {
        var error = Assert.Throws<TraceExportOptionException>(() => OtlpConnectionOptions.FromEnvironment(Environment((variable, value))));
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(null, null, "default-svc")]
    [InlineData("env-svc", null, "env-svc")]
    [InlineData(null, "service.name=attr-svc,team=mm", "attr-svc")]
    [InlineData("env-svc", "service.name=attr-svc", "env-svc")]
    [InlineData("  ", "team=mm", "default-svc")]
    public void Service_name_resolution_order(string? serviceName, string? resourceAttributes, string expected)
    {
        var variables = new List<(string, string)>();
        if (serviceName is not null)
        {
            variables.Add((OtelEnvironment.ServiceName, serviceName));
        }

        if (resourceAttributes is not null)
        {
            variables.Add((OtelEnvironment.ResourceAttributes, resourceAttributes));
        }

        Assert.Equal(expected, OtelEnvironment.ResolveServiceName("default-svc", Environment([.. variables])));
    }

    [Fact]
    public void Resource_attributes_are_percent_decoded_and_malformed_items_skipped()
    {
        var attributes = OtelEnvironment.ParseResourceAttributes("a=1,broken,=nokey,b=x%2Cy, c = spaced ");
        Assert.Equal(3, attributes.Count);
        Assert.Equal("1", attributes["a"]);
        Assert.Equal("x,y", attributes["b"]);
        Assert.Equal("spaced", attributes["c"]);
    }
}
