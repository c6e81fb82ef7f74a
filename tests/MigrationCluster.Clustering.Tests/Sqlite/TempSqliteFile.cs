namespace MigrationCluster.Clustering.Tests;

/// <summary>A membership file of its own for one test, in a fresh directory removed afterwards (with its -wal and -shm files).</summary>
public sealed class TempSqliteFile : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mc-sqlite-clustering-tests", Guid.NewGuid().ToString("N"));

    public TempSqliteFile()
    {
        Directory.CreateDirectory(_directory);
        Path = System.IO.Path.Combine(_directory, "membership.db");
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be closing the file; the OS temp cleaner will get it.
        }
    }
}
