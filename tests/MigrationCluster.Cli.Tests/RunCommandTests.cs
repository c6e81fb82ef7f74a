using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MigrationCluster.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private static readonly int[] AnonymousSteps = [1, 2, 3, 4, 6, 8, 10, 12, 13, 14, 15, 16, 19, 20];
    private static readonly int[] FileSteps = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-run-" + Guid.NewGuid().ToString("N"));

    public RunCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Run_with_defaults_migrates_and_prints_the_summary()
    {
        var json = Path.Combine(_directory, "result.json");
        var result = await CliProcess.RunAsync("run", "--json", json);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("migrated", result.Stdout);
        Assert.Contains("pgmigrate_success", result.Stdout);
        Assert.Contains("try_to_unmap", result.Stdout);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(4, root.GetProperty("nodes").GetInt32());
        Assert.Equal(0, root.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.True(root.GetProperty("migrated").GetInt32() > 0);
        Assert.Equal(root.GetProperty("pages_to_migrate").GetInt32(), root.GetProperty("migrated").GetInt32() + root.GetProperty("failed").GetInt32());
        Assert.Equal(root.GetProperty("migrated").GetInt64(), root.GetProperty("vmstat").GetProperty("pgmigrate_success").GetInt64());
        Assert.True(root.GetProperty("access_latency_ns").GetProperty("after").GetDouble() < root.GetProperty("access_latency_ns").GetProperty("before").GetDouble());
    }

    [Fact]
    public async Task Trace_shows_each_page_going_through_the_steps_in_order_and_backed_out_pages_stopping_where_they_failed()
    {
        var json = Path.Combine(_directory, "result.json");
        var trace = Path.Combine(_directory, "trace.jsonl");
        var result = await CliProcess.RunAsync("run", "--nodes", "2", "--address-spaces", "2", "--pages", "48", "--pinned", "1", "--accesses", "50", "--json", json, "--trace", $"jsonl:{trace}");
        Assert.True(result.ExitCode == 0, result.Stderr);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, document.RootElement.GetProperty("failed").GetInt32()); // one pinned page per process
        Assert.Equal(2, document.RootElement.GetProperty("errno_counts").GetProperty("EAGAIN").GetInt32());

        var spans = File.ReadLines(trace).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var children = spans.ToLookup(s => s.GetProperty("parentSpanId").GetString());
        var pages = spans.Where(s => s.GetProperty("name").GetString() == "unmap_and_move").ToList();
        Assert.NotEmpty(pages);
        // NUMA balancing migrates each source node's pages in a call of its own: one migrate_pages span per node, all in one trace.
        var roots = spans.Where(s => s.GetProperty("name").GetString() == "migrate_pages").ToList();
        Assert.Equal(2, roots.Count);
        Assert.Single(roots.Select(r => r.GetProperty("traceId").GetString()).Distinct());

        int migrated = 0, backedOut = 0;
        foreach (var page in pages)
        {
            var steps = children[page.GetProperty("spanId").GetString()]
                .Where(s => s.GetProperty("attributes").TryGetProperty("migration.step", out _))
                .OrderBy(s => s.GetProperty("startTimeUnixNano").GetInt64())
                .Select(s => (Step: s.GetProperty("attributes").GetProperty("migration.step").GetInt32(), Name: s.GetProperty("name").GetString(), Undo: s.GetProperty("attributes").TryGetProperty("migration.undo", out _)))
                .ToList();
            var forward = steps.Where(s => !s.Undo).Select(s => s.Step).ToArray();
            var errno = page.GetProperty("attributes").GetProperty("errno").GetInt32();
            if (errno == 0)
            {
                migrated++;
                Assert.True(forward.SequenceEqual(AnonymousSteps) || forward.SequenceEqual(FileSteps), string.Join(",", forward));
                Assert.DoesNotContain(steps, s => s.Undo);
            }
            else
            {
                backedOut++;
                var failedAt = page.GetProperty("attributes").GetProperty("migration.failed_step").GetInt32();
                Assert.Equal(failedAt, forward[^1]);
                // Every forward step up to the one that backed it out, in order, and none after.
                var table = forward.Contains(5) ? FileSteps : AnonymousSteps;
                Assert.Equal(table.TakeWhile(s => s <= failedAt), forward);
                // After the failure only undo steps, still in table order.
                var undo = steps.SkipWhile(s => !s.Undo).Select(s => s.Step).ToArray();
                Assert.All(undo, s => Assert.True(s > failedAt));
                Assert.Equal(undo.Order(), undo);
                Assert.Contains(20, undo);
            }
            Assert.Equal("lock_page", steps[0].Name);
        }
        Assert.True(migrated > 0);
        Assert.True(backedOut >= 2);

        // The runtime's grain calls nest under the step spans.
        var stepSpanIds = spans.Where(s => s.GetProperty("attributes").TryGetProperty("migration.step", out _)).Select(s => s.GetProperty("spanId").GetString()).ToHashSet();
        Assert.Contains(spans, s => s.GetProperty("kind").GetString() == "client" && stepSpanIds.Contains(s.GetProperty("parentSpanId").GetString()));
        Assert.Contains(spans, s => s.GetProperty("name").GetString() == "try_to_unmap" && s.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("name").GetString() == "set_migration_pte"));
    }

    [Fact]
    public async Task Run_on_three_silos_in_process_crosses_silos_and_keeps_the_invariants()
    {
        var json = Path.Combine(_directory, "result.json");
        var result = await CliProcess.RunAsync("run", "--silos", "3", "--nodes", "3", "--address-spaces", "3", "--pages", "48", "--accesses", "100", "--json", json);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
        Assert.Equal(document.RootElement.GetProperty("pages_to_migrate").GetInt32(), document.RootElement.GetProperty("migrated").GetInt32());
    }

    [Fact]
    public async Task Console_trace_is_opentelemetry_console_format_with_step_spans_and_orleans_grain_calls()
    {
        var result = await CliProcess.RunAsync("run", "--nodes", "2", "--address-spaces", "1", "--pages", "8", "--tasks", "1", "--accesses", "5", "--trace", "console");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches(@"Activity\.DisplayName:\s+try_to_unmap\n", result.Stdout);
        Assert.Matches(@"Activity\.DisplayName:\s+remove_migration_ptes\n", result.Stdout);
        Assert.Matches(@"Activity\.DisplayName:\s+INumaNodeGrain/LockPage\n", result.Stdout);
        Assert.Matches(@"Activity\.DisplayName:\s+IMigrationCoordinatorGrain/MigratePages\n", result.Stdout);
        Assert.Contains("migration.step: 4", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_three_silos_one_trace_holds_the_migration_with_orleans_grain_calls_under_the_step_spans()
    {
        var trace = Path.Combine(_directory, "trace.jsonl");
        var result = await CliProcess.RunAsync("run", "--silos", "3", "--nodes", "3", "--address-spaces", "3", "--pages", "32", "--accesses", "50", "--trace", $"jsonl:{trace}");
        Assert.True(result.ExitCode == 0, result.Stderr);

        var spans = File.ReadLines(trace).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        // One migrate_pages call per source node (3), all in the trace the command began.
        var roots = spans.Where(s => s.GetProperty("name").GetString() == "migrate_pages").ToList();
        Assert.Equal(3, roots.Count);
        var traceId = Assert.Single(roots.Select(r => r.GetProperty("traceId").GetString()).Distinct());
        // The command's call into the cluster began the trace; the migration and all its steps are in it.
        Assert.Contains(spans, s => s.GetProperty("name").GetString() == "IExperimentGrain/Run" && s.GetProperty("kind").GetString() == "client" && s.GetProperty("traceId").GetString() == traceId);
        var steps = spans.Where(s => s.GetProperty("attributes").TryGetProperty("migration.step", out _)).ToList();
        Assert.All(steps, s => Assert.Equal(traceId, s.GetProperty("traceId").GetString()));

        var stepOfSpan = steps.ToDictionary(s => s.GetProperty("spanId").GetString()!, s => s.GetProperty("attributes").GetProperty("migration.step").GetInt32());
        var stepsWithGrainCalls = spans
            .Where(s => s.GetProperty("kind").GetString() == "client" && s.GetProperty("name").GetString()!.Contains("Grain/", StringComparison.Ordinal))
            .Select(s => s.GetProperty("parentSpanId").GetString())
            .Where(p => p is not null && stepOfSpan.ContainsKey(p))
            .Select(p => stepOfSpan[p!])
            .ToHashSet();
        Assert.True(stepsWithGrainCalls.Count >= 12, $"grain calls under {stepsWithGrainCalls.Count} distinct steps");
    }

    [Fact]
    public async Task Ctrl_C_ends_a_run_at_once()
    {
        // A run of half a minute: 16 processes whose tasks make 20,000 accesses each, before and after.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliProcess.CommandPath, "run", "--nodes", "16", "--address-spaces", "16", "--pages", "8192", "--accesses", "20000" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False(process.HasExited, "the run ended before it was interrupted");

        var interrupted = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        // Ended by the signal (the silos this process hosts do not hold it back), not by finishing the run.
        Assert.True(interrupted.Elapsed < TimeSpan.FromSeconds(15), $"the run went on for {interrupted.Elapsed.TotalSeconds:N0} s after Ctrl+C");
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode} {interrupted.Elapsed.TotalSeconds:N1} s after Ctrl+C: {await stderr}");
        Assert.DoesNotContain("invariant violations", await stdout, StringComparison.Ordinal);
        Assert.Equal(["migration-cluster: interrupted (Ctrl+C): the run was abandoned"], (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_built_command_ships_orleans_and_the_opentelemetry_console_exporter()
    {
        var directory = Path.GetDirectoryName(CliProcess.CommandPath)!;
        Assert.True(File.Exists(Path.Combine(directory, "Orleans.Runtime.dll")));
        Assert.True(File.Exists(Path.Combine(directory, "OpenTelemetry.Exporter.Console.dll")));
        Assert.False(File.Exists(Path.Combine(directory, "MigrationCluster.Runtime.dll")));
    }

    [Theory]
    [InlineData("--silos", "0")]
    [InlineData("--cluster", "/nonexistent/state")]
    [InlineData("--nodes", "1")]
    [InlineData("--mode", "fast")]
    [InlineData("--workload", "zigzag")]
    [InlineData("--topology", "/nonexistent/topology.txt")]
    [InlineData("--trace", "zipkin")]
    [InlineData("--pages", "lots")]
    [InlineData("--pinned", "100000")]
    [InlineData("--pace", "0")]
    [InlineData("--pace", "-5")]
    [InlineData("--pace", "Infinity")]
    [InlineData("--write-fraction", "NaN")]
    [InlineData("--file-fraction", "NaN")]
    public async Task Bad_input_exits_2_with_one_line(string option, string value)
    {
        var json = Path.Combine(_directory, "never.json");
        var result = await CliProcess.RunAsync("run", option, value, "--json", json);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.DoesNotMatch(new Regex(CliProcess.StackFrame), result.Stderr);
        Assert.False(File.Exists(json));
    }
}
