namespace MigrationCluster.Memory.Topology;

/// <summary>Malformed topology text. The message names the line number and the problem, on one line.</summary>
public sealed class TopologyFormatException : FormatException
{
    public TopologyFormatException()
    {
    }

    public TopologyFormatException(string message)
        : base(message)
    {
    }

    public TopologyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TopologyFormatException(int lineNumber, string problem)
        : base($"line {lineNumber}: {problem}")
    {
        LineNumber = lineNumber;
    }

    /// <summary>1-based line of the input where the problem is (0 when it concerns the whole input).</summary>
    public int LineNumber { get; }
}
