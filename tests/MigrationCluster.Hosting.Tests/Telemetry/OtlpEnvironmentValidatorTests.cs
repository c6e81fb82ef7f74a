using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class OtlpEnvironmentValidatorTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData(OtlpEnvironmentValidator.ProtocolVariable, "http/json")]
    [InlineData(OtlpEnvironmentValidator.ProtocolVariable, "GRPC")]
    [InlineData(OtlpEnvironmentValidator.ProtocolVariable, "thrift")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "collector:4318")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "ftp://collector")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "not a url")]
    public void A_value_the_SDK_would_skip_is_one_line_naming_the_variable(string variable, string value)
    {
        var error = Assert.Throws<TraceExportOptionException>(() => OtlpEnvironmentValidator.Validate(Environment((variable, value))));
        Assert.StartsWith($"{variable} is '{value}': expected ", error.Message, StringComparison.Ordinal);
        Assert.Equal(value, error.Value);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(OtlpEnvironmentValidator.ProtocolVariable, "grpc")]
    [InlineData(OtlpEnvironmentValidator.ProtocolVariable, " http/protobuf ")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "http://collector:4318")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "https://collector.example/otlp/")]
    [InlineData(OtlpEnvironmentValidator.EndpointVariable, "")]
    public void Values_the_SDK_uses_pass(string variable, string value)
    {
        OtlpEnvironmentValidator.Validate(Environment((variable, value)));
    }

    [Fact]
    public void Only_a_named_protocol_counts_as_named()
    {
        Assert.False(OtlpEnvironmentValidator.NamesProtocol(Environment()));
        Assert.False(OtlpEnvironmentValidator.NamesProtocol(Environment((OtlpEnvironmentValidator.ProtocolVariable, " "))));
        Assert.True(OtlpEnvironmentValidator.NamesProtocol(Environment((OtlpEnvironmentValidator.ProtocolVariable, "grpc"))));
    }
}
