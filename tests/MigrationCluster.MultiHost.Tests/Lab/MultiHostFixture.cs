using Xunit.Abstractions;

namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>One lab and cluster for the tests of a class (starting one costs seconds); each test begins with it whole.</summary>
public sealed class MultiHostFixture : IAsyncLifetime
{
    private MultiHostCluster? _cluster;

    internal MultiHostCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster did not start.");

    public async Task InitializeAsync() => _cluster = await MultiHostCluster.StartAsync(FailureDetection.Current);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Measured times, for the test's output and a file beside the tests (<c>multihost-timings.txt</c>).</summary>
internal sealed class Timings(ITestOutputHelper output, FailureDetection detection)
{
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "multihost-timings.txt");

    public void Record(string what, TimeSpan elapsed) => Write($"{what}: {elapsed.TotalSeconds:0.0} s");

    public void Write(string line)
    {
        var text = $"[{detection.Name}] {line}";
        output.WriteLine(text);
        File.AppendAllText(FilePath, $"{DateTimeOffset.UtcNow:u} {text}{Environment.NewLine}");
    }
}
