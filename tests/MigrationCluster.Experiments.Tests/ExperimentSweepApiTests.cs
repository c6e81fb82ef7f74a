using System.Text.RegularExpressions;
using MigrationCluster.Cli.Tests;

namespace MigrationCluster.Experiments.Tests;

/// <summary>
/// The sweep as a library: the README's snippet, run here word for word (but for its output
/// directory, a temporary one), and checked to be the README's.
/// </summary>
public sealed partial class ExperimentSweepApiTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_readme_snippet_runs_a_sweep_and_writes_its_results()
    {
        var sweep = _directory.File("sweep");
        // README: begin
        var options = new ExperimentOptions { Nodes = [2, 4], Silos = [1], OutputDirectory = sweep };
        ExperimentSweepResult result = await ExperimentSweep.RunAsync(options);
        new ExperimentOutput(options).WriteAll(result); // results.csv, results.json, plots/, report.html
        foreach (var row in result.Rows)
        {
            Console.WriteLine($"{row.Nodes} nodes: {row.Migrated} of {row.PagesToMigrate} pages migrated, {row.InvariantViolations} invariant violations");
        }
        // README: end

        Assert.Null(result.Error);
        Assert.False(result.Interrupted);
        Assert.Equal([2, 4], result.Rows.Select(r => r.Nodes));
        Assert.All(result.Rows, row =>
        {
            Assert.True(row.PagesToMigrate > 0, "the processes were moved far, so pages are misplaced");
            Assert.InRange(row.Migrated, 1, row.PagesToMigrate);
            Assert.Equal(0, row.InvariantViolations);
        });
        Assert.Equal(3, File.ReadAllLines(Path.Combine(sweep, "results.csv")).Length);
        Assert.True(File.Exists(Path.Combine(sweep, "results.json")));
        Assert.True(File.Exists(Path.Combine(sweep, "report.html")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(sweep, "plots"), "*.svg"));
    }

    [Fact]
    public async Task Bad_options_are_refused_before_any_point_runs()
    {
        var options = new ExperimentOptions { Nodes = [2], PagesPerSpace = 0, OutputDirectory = _directory.File("never") };
        var error = await Assert.ThrowsAsync<Hosting.UsageException>(() => ExperimentSweep.RunAsync(options));
        Assert.StartsWith("2 nodes: ", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.OutputDirectory));
    }

    [Fact]
    public void The_readme_shows_the_snippet_this_test_runs()
    {
        var test = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "MigrationCluster.Experiments.Tests", "ExperimentSweepApiTests.cs"));
        var snippet = Lines(Between(test, "// README: begin\n", "        // README: end")).Select(l => l.Replace("OutputDirectory = sweep", "OutputDirectory = \"sweep\"", StringComparison.Ordinal));
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var block = ReadmeBlock().Match(readme);
        Assert.True(block.Success, "README.md has no ```csharp block with ExperimentSweep.RunAsync");
        Assert.Equal(snippet, Lines(block.Groups["code"].Value).Where(l => !l.StartsWith("using ", StringComparison.Ordinal)));
    }

    private static string Between(string text, string begin, string end)
    {
        var start = text.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        return text[start..text.IndexOf(end, start, StringComparison.Ordinal)];
    }

    private static string[] Lines(string text) => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    [GeneratedRegex(@"```csharp\n(?<code>(?:(?!```).)*ExperimentSweep\.RunAsync(?:(?!```).)*)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeBlock();
}
