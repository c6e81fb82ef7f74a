namespace MigrationCluster.Hosting.Io;

/// <summary>
/// Files a command writes: checked before any work starts (so a run does not find out at its end
/// that it cannot save what it measured), and written atomically (a temporary file in the same
/// directory, then a rename), so a reader never sees half a document and an interrupted write
/// leaves the earlier file whole.
/// </summary>
public static class OutputFile
{
    private const string TemporaryMarker = ".tmp-";

    /// <summary>
    /// Refuses <paramref name="path"/> as an output unless a file can be created there: not a
    /// directory, not under a file, in a directory this process may write (created if missing).
    /// </summary>
    public static void CheckWritable(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(what);
        var full = Path.GetFullPath(path);
        var kind = FileKinds.Of(full);
        if (kind == FileKind.Directory)
        {
            throw new UnusablePathException($"{what} '{path}' is a directory, not a file");
        }
        if (kind is not (FileKind.Missing or FileKind.RegularFile))
        {
            throw new UnusablePathException($"{what} '{path}' is {FileKinds.Describe(kind)}: results go to a regular file");
        }
        CheckDirectory(Path.GetDirectoryName(full)!, path, what);
    }

    /// <summary>Refuses <paramref name="directory"/> as an output directory unless files can be created in it.</summary>
    public static void CheckWritableDirectory(string directory, string what)
    {
        ArgumentNullException.ThrowIfNull(directory);
        CheckDirectory(Path.GetFullPath(directory), directory, what);
    }

    private static void CheckDirectory(string directory, string given, string what)
    {
        // The nearest part of the path that exists must be a directory: a file there means the
        // output would sit "under a file".
        var existing = directory;
        while (FileKinds.Of(existing) == FileKind.Missing && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }
        var kind = FileKinds.Of(existing);
        if (kind != FileKind.Directory)
        {
            throw new UnusablePathException($"{what} '{given}': '{existing}' is {FileKinds.Describe(kind)}, not a directory");
        }
        // Permissions are asked of the file system itself (ACLs, read-only mounts, root).
        var probe = Path.Combine(existing, $".migration-cluster-probe{TemporaryMarker}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UnusablePathException($"{what} '{given}': cannot create files in '{existing}' ({exception.Message})", exception);
        }
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically; the directory is created if missing.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        WriteVia(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>
    /// For writers that take a path (a plot library's SavePng): <paramref name="save"/> writes the
    /// temporary path given to it, which keeps the final name's extension; it is then renamed over
    /// <paramref name="path"/>.
    /// </summary>
    public static void WriteVia(string path, Action<string> save)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(save);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var name = Path.GetFileName(full);
        var temporary = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(name)}{TemporaryMarker}{Environment.ProcessId}-{Guid.NewGuid():N}{Path.GetExtension(name)}");
        try
        {
            save(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
