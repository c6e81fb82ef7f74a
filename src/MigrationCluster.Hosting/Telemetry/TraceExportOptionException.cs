namespace MigrationCluster.Hosting.Telemetry;

/// <summary>A <c>--trace</c> value (or trace export setting) that cannot be used. The message is one line.</summary>
public sealed class TraceExportOptionException : ArgumentException
{
    public TraceExportOptionException()
    {
    }

    public TraceExportOptionException(string message)
        : base(message)
    {
    }

    public TraceExportOptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The offending value, when there is one.</summary>
    public string? Value { get; init; }
}
