namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// One <c>cluster start</c> or <c>cluster stop</c> at a time per state directory: an exclusive
/// lock on a file there (.NET takes flock(2) for FileShare.None on Unix), released when the
/// command ends, however it ends. Silo processes never hold it: .NET opens files close-on-exec.
/// </summary>
public sealed class StateDirectoryLock : IDisposable
{
    public const string FileName = "cluster.lock";

    private readonly FileStream _file;

    private StateDirectoryLock(FileStream file) => _file = file;

    /// <summary>The lock, or null when another command holds it.</summary>
    public static StateDirectoryLock? TryAcquire(LocalClusterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(state.Directory);
        try
        {
            return new StateDirectoryLock(new FileStream(Path.Combine(state.Directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
