namespace MigrationCluster.Cli.Tests.Experiments;

/// <summary>
/// One small sweep, run once for the tests that read its files: the checker's sweep (nodes 2,4,8
/// on 1 and 2 silos), with a pinned page per process so some pages fail and are retried.
/// </summary>
public sealed class ExperimentSweepFixture : IAsyncLifetime
{
    public static readonly string[] Arguments = ["experiment", "--nodes", "2,4,8", "--silos", "1,2", "--pinned", "1", "--seed", "7"];

    private readonly TempDirectory _directory = new();

    public string Output => _directory.File("out");

    internal CliResult Result { get; private set; } = new(-1, string.Empty, string.Empty);

    public async Task InitializeAsync() => Result = await CliProcess.RunAsync([.. Arguments, "--out", Output]);

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}
