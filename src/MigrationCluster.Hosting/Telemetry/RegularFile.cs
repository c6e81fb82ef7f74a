using System.Globalization;
using MigrationCluster.Hosting.Io;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Refuses, before opening it, a path that is not a regular file (a device such as
/// <c>/dev/zero</c>, a FIFO that would block the open, a socket) or that is larger than a limit.
/// The file type comes from <see cref="FileKinds"/>; where it cannot tell, the reader's own byte
/// limit bounds the rest.
/// </summary>
internal static class RegularFile
{
    public static void Check(string path, long maxBytes)
    {
        var kind = FileKinds.Of(path);
        if (kind == FileKind.Missing)
        {
            // The open says why.
            return;
        }
        if (kind != FileKind.RegularFile)
        {
            var what = kind == FileKind.Pipe ? "a FIFO" : FileKinds.Describe(kind);
            throw new TraceFileFormatException($"{path}: not a regular file ({what}); a trace file must be a regular file");
        }
        var size = new FileInfo(path).Length;
        if (size > maxBytes)
        {
            throw TooLarge(path, size, maxBytes);
        }
    }

    internal static TraceFileFormatException TooLarge(string path, long size, long maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}: {Describe(size)} is more than the limit of {Describe(maxBytes)} (--max-size raises it)"));

    private static string Describe(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");
}
