namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>Files a test leaves for people to look at (screenshots): <c>artifacts/</c> in the test output directory.</summary>
internal static class TestArtifacts
{
    public static string Directory
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "artifacts");
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }

    public static string File(string name) => Path.Combine(Directory, name);
}
