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
/// writer comes, and a device never ends. .NET has no public API for the file type, so on Unix
/// this asks stat(2) through the runtime's own native shim (the one FileStatus uses; its
/// second 32-bit field is st_mode with the kernel's S_IF* bits).
/// </summary>
public static partial class FileKinds
{
    private const int TypeMask = 0xF000;
    private const int FifoBits = 0x1000;
    private const int CharacterDeviceBits = 0x2000;
    private const int DirectoryBits = 0x4000;
    private const int BlockDeviceBits = 0x6000;
    private const int RegularBits = 0x8000;
    private const int SocketBits = 0xC000;

    // Larger than the runtime's FileStatus (about 120 bytes) so the shim never writes past it.
    private const int StatBufferSize = 512;

    public static FileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows())
        {
            return Directory.Exists(path) ? FileKind.Directory
                : File.Exists(path) ? (File.GetAttributes(path).HasFlag(FileAttributes.Device) ? FileKind.CharacterDevice : FileKind.RegularFile)
                : FileKind.Missing;
        }
        var buffer = new byte[StatBufferSize];
        if (Stat(path, buffer) != 0)
        {
            return File.Exists(path) || Directory.Exists(path) ? FileKind.Other : FileKind.Missing;
        }
        int mode = BitConverter.ToInt32(buffer, sizeof(int));
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

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Stat(string path, [Out] byte[] status);
}
