using System.Text;

namespace MigrationCluster.Hosting.Io;

/// <summary>
/// Reads a file the user names as input: it must be a regular file (not a device, a pipe or a
/// directory) no larger than a limit, in UTF-8. Memory stays within the limit whatever the path
/// names; every refusal is an <see cref="UnusablePathException"/> naming the path.
/// </summary>
public static class InputFile
{
    /// <summary>Scenario files: far above any hand-written one (the examples are a few KB).</summary>
    public const long MaxScenarioBytes = 16L << 20;

    /// <summary>Topology files (numactl --hardware or a sysfs distance matrix): 1,024 nodes of distances fit in about 5 MB.</summary>
    public const long MaxTopologyBytes = 8L << 20;

    /// <summary>Machine files: 1,024 nodes make two tables of a million numbers each, about 10 MB.</summary>
    public const long MaxMachineBytes = 32L << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The text of <paramref name="path"/>; <paramref name="what"/> names it in messages ("scenario",
    /// "--topology").
    /// </summary>
    public static string ReadAllText(string path, string what, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(what);
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            throw new UnusablePathException($"{what} '{path}': no such file");
        }
        if (kind != FileKind.RegularFile)
        {
            throw new UnusablePathException($"{what} '{path}' is {FileKinds.Describe(kind)}, not a regular file");
        }
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            // The length is read, not trusted: a file may grow while it is read.
            bytes = ReadAtMost(stream, maxBytes, path, what);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UnusablePathException($"{what} '{path}' cannot be read ({exception.Message})", exception);
        }
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException exception)
        {
            throw new UnusablePathException($"{what} '{path}' is not UTF-8 text (an invalid byte at offset {exception.Index})", exception);
        }
    }

    private static byte[] ReadAtMost(Stream stream, long maxBytes, string path, string what)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new UnusablePathException($"{what} '{path}' is larger than the limit of {Format(maxBytes)}");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>"16 MiB", "512 KiB", or bytes.</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} bytes",
    };
}
