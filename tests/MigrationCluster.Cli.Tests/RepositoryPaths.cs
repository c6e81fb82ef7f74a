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

    /// <summary>The scenario files these tests run (besides the examples).</summary>
    public static string TestScenarios => Path.Combine(Root, "tests", "MigrationCluster.Scenarios.Tests", "Scenarios");
}
