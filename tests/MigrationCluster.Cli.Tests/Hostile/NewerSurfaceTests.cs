using System.Diagnostics;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>
/// The surfaces added after the first hostile sweep (machine files, --pace, bench model's sizes),
/// attacked through the command: exit 2, one line naming the input, no stack trace, the input
/// file left as it was, and an answer in seconds.
/// </summary>
public sealed class NewerSurfaceTests
{
    private static readonly string Preset = Path.Combine(RepositoryPaths.Root, "src", "MigrationCluster.Experiments", "Machines", "Presets", "xeon-e5-2640v3-2s.yaml");

    [Theory]
    // Read recursively, this file overflowed the stack: exit 134 and 44,000 lines of stack trace.
    [InlineData("deep", "nested more than 16 levels deep")]
    // A step costed at 1e12 ns had the tasks run for the migration's simulated hours: no answer in 90 s.
    [InlineData("  step_ns: 60\n|  step_ns: 1e12\n", "costs.step_ns must be at most 10,000 (was 1e12)")]
    // An int overflow: exit 1, "Arithmetic operation resulted in an overflow."
    [InlineData("  - cpus: 16\n  - cpus: 16\n|  - cpus: 2147483647\n  - cpus: 2147483647\n", "nodes[0].cpus must be at most 8,192")]
    // A derived SLIT distance above 255: exit 1, "(Parameter 'distances')".
    [InlineData("  - [87, 133]\n|  - [87, 5000]\n", "the SLIT distance derived from it")]
    // A misspelt field was left out without a word.
    [InlineData("node_copy_gbps: [45, 45]\n|node_copy_gbps: [45, 45]\nnode_copy_gpbs: [45, 45]\n", "unknown field 'node_copy_gpbs' in the machine")]
    public async Task Run_refuses_a_crafted_machine_file_at_its_line_and_leaves_it_as_it_was(string edit, string problem)
    {
        using var directory = new TempDirectory();
        var text = File.ReadAllText(Preset);
        if (edit == "deep")
        {
            text += "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        }
        else
        {
            var (from, to) = (edit.Split('|')[0], edit.Split('|')[1]);
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        var file = directory.Write("machine.yaml", text);
        var before = File.ReadAllBytes(file);
        var watch = Stopwatch.StartNew();

        var result = await CliProcess.RunAsync("run", "--machine", file, "--pages", "64");

        var line = HostileAssert.BadInput(result, problem);
        Assert.StartsWith($"migration-cluster: {file}:", line, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Theory]
    // Each of these ended with exit 1 and an exception's message.
    [InlineData("--pace must be at least 0.001 pages per second", "run", "--pace", "1e-300")]
    [InlineData("--pages must be at least 1 (was 0)", "bench", "model", "--json", "JSON", "--pages", "0")]
    [InlineData("bench model --pages 2147483647 needs about 384.3 GiB of memory (estimated from its shape), more than the limit of 1 GiB", "bench", "model", "--json", "JSON", "--pages", "2147483647", "--max-memory", "1G")]
    [InlineData("bench model --large-model-pages 2147483647 needs about 112.5 GiB of memory", "bench", "model", "--json", "JSON", "--pages", "1000", "--large-model-pages", "2147483647", "--max-memory", "1G")]
    public async Task A_bad_size_or_pace_is_one_line_and_exit_2_before_any_work(string problem, params string[] args)
    {
        using var directory = new TempDirectory();
        var json = directory.File("bench.json");

        var result = await CliProcess.RunAsync([.. args.Select(a => a == "JSON" ? json : a)]);

        HostileAssert.BadInput(result, problem);
        Assert.False(File.Exists(json));
    }
}
