namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// The test assembly's entry point. The test runner never calls it; the multi-process race runs
/// <c>dotnet MigrationCluster.Clustering.Tests.dll race-update ...</c> to get real
/// separate processes writing one file.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == RaceWorker.Command)
        {
            return await RaceWorker.RunAsync(args[1..]);
        }

        await Console.Error.WriteLineAsync($"usage: {RaceWorker.Usage}");
        return 2;
    }
}
