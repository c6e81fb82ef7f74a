namespace MigrationCluster.Hosting.Telemetry;

/// <summary>A trace file that cannot be read: a line that is not an OTLP/JSON request (<c>FILE:LINE: reason</c>), or a file refused before reading (<c>FILE: reason</c>). The message is one line.</summary>
public sealed class TraceFileFormatException : FormatException
{
    public TraceFileFormatException()
    {
    }

    public TraceFileFormatException(string message)
        : base(message)
    {
    }

    public TraceFileFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TraceFileFormatException(string source, int lineNumber, string reason, Exception? innerException = null)
        : base($"{source}:{lineNumber}: {OneLine(reason)}", innerException)
    {
        Source = source;
        LineNumber = lineNumber;
    }

    /// <summary>1-based number of the bad line.</summary>
    public int LineNumber { get; }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
