namespace MigrationCluster.Hosting.Tests.Telemetry;

/// <summary>A file path in a fresh directory, deleted with the directory at dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mc-telemetry-" + Guid.NewGuid().ToString("N"));

    public TempFile(string name = "trace.jsonl")
    {
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, name);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
