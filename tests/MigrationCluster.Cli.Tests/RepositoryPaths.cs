namespace MigrationCluster.Cli.Tests;

/// <summary>Files the repository ships (examples), found by walking up from the test output to the solution.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MigrationCluster.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"no MigrationCluster.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string ExampleScenarios => Path.Combine(Root, "examples", "scenarios");

    public static string ExampleTopologies => Path.Combine(Root, "examples", "topologies");
}

/// <summary>A temporary directory removed at the end of a test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("mc-cli-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
