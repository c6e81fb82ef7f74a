namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The spans of an OTLP/JSON trace file, as <see cref="OtlpJsonTraceReader"/> read them.
/// </summary>
/// <param name="Source">The file's name, as given.</param>
/// <param name="Spans">Every span of every line, in file order.</param>
/// <param name="CutLineNumber">
/// The number of the last line when it ended without a newline and was not a whole JSON object
/// (the writer stopped mid-line); its spans are not in <see cref="Spans"/>. Null when the file
/// ends at a whole line.
/// </param>
public sealed record TraceFile(string Source, IReadOnlyList<SpanRecord> Spans, int? CutLineNumber)
{
    /// <summary>The default limit on a trace file's size: 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>One line that says the last line was cut and is left out; null when it was not.</summary>
    public string? CutLineWarning => CutLineNumber is { } line
        ? $"{Source}:{line}: the last line is cut short (the writer stopped in the middle of it) and is left out; the {Spans.Count} spans before it are shown"
        : null;

    /// <summary>
    /// Reads the OTLP/JSON lines file at <paramref name="path"/>, which must be a regular file of
    /// at most <paramref name="maxBytes"/> bytes (a device or a pipe is refused before it is read).
    /// Throws <see cref="TraceFileFormatException"/> with a one-line message for a file it refuses
    /// or a line that is not an ExportTraceServiceRequest.
    /// </summary>
    public static TraceFile Read(string path, long maxBytes = DefaultMaxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RegularFile.Check(path, maxBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        return OtlpJsonTraceReader.Read(stream, path, maxBytes);
    }
}
