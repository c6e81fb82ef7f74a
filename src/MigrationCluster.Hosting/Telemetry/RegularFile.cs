using System.Globalization;
using System.Runtime.InteropServices;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// Refuses, before opening it, a path that is not a regular file (a device such as
/// <c>/dev/zero</c>, a FIFO that would block the open, a socket) or that is larger than a limit.
/// .NET's FileInfo cannot tell these apart (all are "Normal" with length 0), so on Linux the file
/// type comes from <c>statx(2)</c>, whose buffer layout is the same on every architecture;
/// elsewhere only the size is checked here, and the reader's own byte limit bounds the rest.
/// </summary>
internal static class RegularFile
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ModeOffset = 0x1C;
    private const int SizeOffset = 0x28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFileType = 0x8000;
    private const int DirectoryType = 0x4000;

    public static void Check(string path, long maxBytes)
    {
        if (Status(path) is not { } status)
        {
            // No statx (not Linux) or the path cannot be examined: the open says why.
            if (new FileInfo(path) is { Exists: true } info && info.Length > maxBytes)
            {
                throw TooLarge(path, info.Length, maxBytes);
            }

            return;
        }

        var type = status.Mode & FileTypeMask;
        if (type != RegularFileType)
        {
            throw new TraceFileFormatException(
                $"{path}: not a regular file ({Describe(type)}); a trace file must be a regular file");
        }

        if (status.Size > maxBytes)
        {
            throw TooLarge(path, status.Size, maxBytes);
        }
    }

    internal static TraceFileFormatException TooLarge(string path, long size, long maxBytes) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{path}: {Describe(size)} is more than the limit of {Describe(maxBytes)} (--max-size raises it)"));

    private static string Describe(long bytes) => bytes >= 1L << 30 && bytes % (1L << 30) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    private static string Describe(int type) => type switch
    {
        DirectoryType => "a directory",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        _ => "not a plain file",
    };

    private static (int Mode, long Size)? Status(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType | StatxSize, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without statx (glibc before 2.28).
            return null;
        }

        // The fields are in the machine's own byte order.
        return (MemoryMarshal.Read<ushort>(buffer.AsSpan(ModeOffset)),
            (long)Math.Min(MemoryMarshal.Read<ulong>(buffer.AsSpan(SizeOffset)), long.MaxValue));
    }

    // A classic import: LibraryImport's generated code would need unsafe blocks in this project.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
