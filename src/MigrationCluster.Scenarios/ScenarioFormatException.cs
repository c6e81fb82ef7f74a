namespace MigrationCluster.Scenarios;

/// <summary>Bad scenario input. The message is one line: <c>FILE:LINE: problem</c> (or <c>FILE: problem</c> without a line).</summary>
public sealed class ScenarioFormatException : FormatException
{
    public ScenarioFormatException()
    {
    }

    public ScenarioFormatException(string message)
        : base(message)
    {
    }

    public ScenarioFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ScenarioFormatException(string file, int line, string problem, Exception? innerException = null)
        : base(line > 0 ? $"{file}:{line}: {OneLine(problem)}" : $"{file}: {OneLine(problem)}", innerException)
    {
        LineNumber = line;
    }

    /// <summary>1-based line of the problem, 0 when the input gave none.</summary>
    public int LineNumber { get; }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
