using System.Runtime.InteropServices;

namespace MigrationCluster.Hosting.Io;

/// <summary>What a path names, as stat(2) says after following links: a regular file, a directory, or something else.</summary>
public enum FileKind
{
    Missing,
    RegularFile,
    Directory,
    CharacterDevice,
    BlockDevice,
    Pipe,
    Socket,
    Other,
}

/// <summary>
/// Tells a regular file from a device or a pipe before opening it: opening a FIFO blocks until a
/// writer comes, and a device never ends. .NET has no public API for the file type, so on Linux
/// this asks <c>statx(2)</c> (its buffer layout is the same on every architecture); elsewhere, and
/// with a C library that lacks statx, it tells only files from directories.
/// </summary>
public static class FileKinds
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 0x1C;
    private const int StatxBufferSize = 256;

    private const int TypeMask = 0xF000;
    private const int FifoBits = 0x1000;
    private const int CharacterDeviceBits = 0x2000;
    private const int DirectoryBits = 0x4000;
    private const int BlockDeviceBits = 0x6000;
    private const int RegularBits = 0x8000;
    private const int SocketBits = 0xC000;

    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Mode(path) is not { } mode)
        {
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.RegularFile : FileKind.Missing;
        }
        return (mode & TypeMask) switch
        {
            RegularBits => FileKind.RegularFile,
            DirectoryBits => FileKind.Directory,
            CharacterDeviceBits => FileKind.CharacterDevice,
            BlockDeviceBits => FileKind.BlockDevice,
            FifoBits => FileKind.Pipe,
            SocketBits => FileKind.Socket,
            _ => FileKind.Other,
        };
    }

    /// <summary>"a character device", "a directory": for messages.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.RegularFile => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Pipe => "a pipe",
        FileKind.Socket => "a socket",
        _ => "not a regular file",
    };

    /// <summary>st_mode after following links; null where statx cannot say (not Linux, no statx, a path that cannot be examined).</summary>
    private static int? Mode(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var buffer = new byte[StatxBufferSize];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without statx (glibc before 2.28).
            return null;
        }
        // In the machine's own byte order.
        return MemoryMarshal.Read<ushort>(buffer.AsSpan(ModeOffset));
    }

    // A classic import: LibraryImport's generated code would need unsafe blocks.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true, ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
