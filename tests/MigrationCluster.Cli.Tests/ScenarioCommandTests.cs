using System.Text.Json;

namespace MigrationCluster.Cli.Tests;

public sealed class ScenarioCommandTests
{
    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(RepositoryPaths.ExampleScenarios).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void At_least_five_examples_ship()
    {
        Assert.True(Examples().Count >= 5);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_meets_its_expectations_and_reports_every_call_and_page(string example)
    {
        using var temp = new TempDirectory();
        var scenario = Path.Combine(RepositoryPaths.ExampleScenarios, example);
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", scenario, "--json", jsonPath);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        Assert.Equal(string.Empty, result.Stderr);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        var root = json.RootElement;
        var calls = root.GetProperty("calls").EnumerateArray().ToList();
        Assert.NotEmpty(calls);
        Assert.Equal(calls.Count, root.GetProperty("expectations").GetProperty("checked").GetInt32());
        Assert.Equal(0, root.GetProperty("expectations").GetProperty("failed").GetInt32());
        foreach (var call in calls)
        {
            Assert.True(call.GetProperty("expectation_met").GetBoolean());
            Assert.Equal(JsonValueKind.Number, call.GetProperty("return_value").ValueKind);
            Assert.Equal(JsonValueKind.Object, call.GetProperty("vmstat_delta").ValueKind);
            Assert.Equal(JsonValueKind.Null, call.GetProperty("invariant_violation").ValueKind);
        }

        Assert.Equal(calls.Count + 1, root.GetProperty("invariants").GetProperty("checks").GetInt32());
        Assert.Equal(0, root.GetProperty("invariants").GetProperty("violations").GetInt32());
        var pages = root.GetProperty("pages").EnumerateArray().ToList();
        Assert.NotEmpty(pages);
        Assert.All(pages, page => Assert.Matches(@"^(\d+:\d+|not present|zero page|unmapped)$", page.GetProperty("location").GetString()!));
    }

    [Fact]
    public async Task Every_kernel_rule_example_names_the_kernel_function_or_LTP_test_it_encodes()
    {
        foreach (var path in Directory.GetFiles(RepositoryPaths.ExampleScenarios, "*.yaml").Where(p => string.CompareOrdinal(Path.GetFileName(p), "08") >= 0))
        {
            var text = await File.ReadAllTextAsync(path);
            Assert.Matches(@"(?m)^# .*(Kernel rule|mm/\w+\.c)", text);
            Assert.Contains("expect:", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Shared_page_needs_move_all_and_a_privileged_caller()
    {
        using var temp = new TempDirectory();
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", Path.Combine(RepositoryPaths.ExampleScenarios, "02-shared-page-move-all.yaml"), "--json", jsonPath);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        var calls = json.RootElement.GetProperty("calls");
        Assert.Equal("EACCES", calls[0].GetProperty("status")[0].GetString());
        Assert.Equal(-1, calls[1].GetProperty("return_value").GetInt32());
        Assert.Equal("EPERM", calls[1].GetProperty("errno").GetString());
        // The call failed before reading a page: the status array is as the caller left it.
        Assert.Equal("unwritten", Assert.Single(calls[1].GetProperty("status").EnumerateArray()).GetString());
        Assert.Equal(2, calls[2].GetProperty("vmstat_delta").GetProperty("pgmigrate_success").GetInt64());
        // Both processes see the moved pages through the same frames on node 1.
        var locations = json.RootElement.GetProperty("pages").EnumerateArray()
            .Where(p => p.GetProperty("region").GetString() == "shm")
            .GroupBy(p => p.GetProperty("index").GetInt64())
            .ToList();
        Assert.Equal(2, locations.Count);
        foreach (var group in locations)
        {
            var distinct = group.Select(p => p.GetProperty("location").GetString()).Distinct().ToList();
            Assert.Equal(2, group.Count());
            Assert.StartsWith("1:", Assert.Single(distinct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Writeback_page_is_busy_in_async_mode_and_moves_in_sync_mode()
    {
        using var temp = new TempDirectory();
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", Path.Combine(RepositoryPaths.ExampleScenarios, "03-writeback-async-vs-sync.json"), "--json", jsonPath);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        var calls = json.RootElement.GetProperty("calls");
        Assert.Equal("EBUSY", calls[0].GetProperty("status")[0].GetString());
        Assert.Equal(1, calls[0].GetProperty("vmstat_delta").GetProperty("pgmigrate_fail").GetInt64());
        Assert.Equal(1, calls[2].GetProperty("status")[0].GetInt32());
        var log0 = json.RootElement.GetProperty("pages").EnumerateArray().Single(p => p.GetProperty("region").GetString() == "log" && p.GetProperty("index").GetInt64() == 0);
        Assert.Equal(1, log0.GetProperty("node").GetInt32());
    }

    [Fact]
    public async Task Unmet_expectation_exits_1_names_the_call_and_still_writes_the_result()
    {
        using var temp = new TempDirectory();
        var scenario = Path.Combine(RepositoryPaths.TestScenarios, "unmet-expectation.yaml");
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", scenario, "--json", jsonPath);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("unmet-expectation.yaml:12:", line, StringComparison.Ordinal);
        Assert.Contains("status [1, 1], expected [0, 1]", line, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        Assert.False(json.RootElement.GetProperty("calls")[0].GetProperty("expectation_met").GetBoolean());
        Assert.Equal(1, json.RootElement.GetProperty("expectations").GetProperty("failed").GetInt32());
    }

    private const string Valid = """
        nodes: 2
        processes:
          - name: a
            regions:
              - name: heap
                kind: anon_private
                pages: 2
        calls:
          - call: move_pages
            pid: a
            pages: heap:0
            nodes: 1
        """;

    /// <summary>A broken variant of <see cref="Valid"/>, and the line and words the message must have.</summary>
    public static TheoryData<string, string, string, int, string> BadInputs() => new()
    {
        { "unknown key", "scenario.yaml", Valid + "\n    colour: red", 13, "unknown key 'colour'" },
        { "wrong type", "scenario.yaml", Valid.Replace("pages: 2", "pages: two", StringComparison.Ordinal), 7, "expected an integer" },
        { "no such node", "scenario.yaml", Valid.Replace("nodes: 1", "nodes: 7", StringComparison.Ordinal), 12, "node 7 does not exist" },
        { "page outside region", "scenario.yaml", Valid.Replace("heap:0", "heap:2", StringComparison.Ordinal), 11, "outside region 'heap'" },
        { "no such process", "scenario.yaml", Valid.Replace("pid: a", "pid: b", StringComparison.Ordinal), 10, "no process named 'b'" },
        { "YAML syntax", "scenario.yaml", Valid.Replace("kind: anon_private", "kind: \"anon_private", StringComparison.Ordinal), 6, "YAML syntax error" },
        { "JSON syntax", "scenario.json", "{\n  \"nodes\": 2,\n  \"processes\": [ { \"name\": \"a\",, } ]\n}", 3, "JSON syntax error" },
        { "node without free frames", "scenario.yaml", Valid.Replace("calls:", "        setup:\n          - pages: 0-1\n            node: 1\n            write: 1\nframes_per_node: 1\ncalls:", StringComparison.Ordinal), 9, "could not be placed on node 1" },
        { "touched by a process that does not map the region", "scenario.yaml", Valid.Replace("calls:", "        setup:\n          - pages: 0\n            touched_by: [b]\n  - name: b\ncalls:", StringComparison.Ordinal), 10, "does not map region 'heap'" },
        { "unknown flag", "scenario.yaml", Valid + "\n    flags: MPOL_MF_MOVE | MPOL_MF_SOMETIMES", 13, "unknown flag 'MPOL_MF_SOMETIMES'" },
        { "initial status of the wrong length", "scenario.yaml", Valid + "\n    initial_status: [0, 0]", 13, "initial_status: 2 entries for 1 pages" },
        { "initial status that is no value", "scenario.yaml", Valid + "\n    initial_status: [ENOTANERRNO]", 13, "expected a node number, an errno name" },
        { "cpuset node that does not exist", "scenario.yaml", Valid.Replace("  - name: a\n", "  - name: a\n    cpuset: [0, 5]\n", StringComparison.Ordinal), 4, "cpuset: node 5 does not exist" },
        { "writeback of a zero page", "scenario.yaml", Valid.Replace("calls:", "        setup:\n          - pages: 0\n            writeback: true\ncalls:", StringComparison.Ordinal), 9, "maps the shared zero page" },
        { "status given twice", "scenario.yaml", Valid + "\n    status: 0\n    initial_status: 0", 14, "not both" },
        { "call by a process that exited before the calls", "scenario.yaml", Valid.Replace("  - name: a\n", "  - name: a\n    exited: true\n", StringComparison.Ordinal), 11, "process 'a' exited (line 4)" },
        { "call by a process that exited", "scenario.yaml", Valid.Replace("calls:", "calls:\n  - call: exit\n    pid: a", StringComparison.Ordinal), 12, "process 'a' exited (line 9)" },
        { "munmap range outside one region", "scenario.yaml", Valid + "\n  - call: munmap\n    pid: a\n    range: [heap:0, unmapped]", 15, "range: must be consecutive pages of one region" },
        { "policy of memoryless nodes only", "scenario.yaml", "topology: " + Path.Combine(RepositoryPaths.ExampleTopologies, "numactl-4node-cpu-only-node2.txt") + "\nprocesses:\n  - name: a\n    regions:\n      - name: heap\n        kind: anon_private\n        pages: 1\n        policy: { mode: bind, nodes: [2] }\ncalls: []\n", 5, "mbind(2) refuses with EINVAL" },
        { "JSON wrong type", "scenario.json", "{\n  \"nodes\": 2,\n  \"processes\": [\n    { \"name\": \"a\", \"privileged\": 3 }\n  ]\n}", 4, "expected true or false" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_2_with_one_line_naming_file_and_line_and_writes_nothing(string kind, string fileName, string text, int line, string words)
    {
        using var temp = new TempDirectory();
        var scenario = temp.Write(fileName, text);
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", scenario, "--json", jsonPath);

        Assert.True(result.ExitCode == 2, $"{kind}: exit {result.ExitCode}: {result.Stderr}");
        var message = Assert.Single(result.StderrLines);
        Assert.StartsWith($"migration-cluster: {scenario}:{line}: ", message, StringComparison.Ordinal);
        Assert.Contains(words, message, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(jsonPath), $"{kind}: the result file was written");
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task Valid_variant_of_the_bad_inputs_runs()
    {
        using var temp = new TempDirectory();
        var scenario = temp.Write("scenario.yaml", Valid);

        var result = await CliProcess.RunAsync("scenario", scenario);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
    }

    [Fact]
    public async Task Missing_file_exits_2()
    {
        using var temp = new TempDirectory();
        var jsonPath = temp.File("result.json");

        var result = await CliProcess.RunAsync("scenario", temp.File("none.yaml"), "--json", jsonPath);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("none.yaml", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(jsonPath));
    }
}

public sealed class ScenarioFormatTests
{
    [Fact]
    public async Task A_flag_move_pages_does_not_take_runs_and_the_call_returns_EINVAL()
    {
        var scenario = Path.Combine(RepositoryPaths.TestScenarios, "flags-einval.yaml");

        var result = await CliProcess.RunAsync("scenario", scenario);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        Assert.Contains("flags=MPOL_MF_MOVE|MPOL_MF_LAZY", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Munmap_and_exit_leave_pages_unmapped_and_the_exited_process_is_ESRCH()
    {
        using var temp = new TempDirectory();
        var scenario = Path.Combine(RepositoryPaths.TestScenarios, "munmap-and-exit.yaml");
        var jsonPath = temp.File("gone.json");

        var result = await CliProcess.RunAsync("scenario", scenario, "--json", jsonPath);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}\n{result.Stdout}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        // The process has exited: every page of it is unmapped, and every frame it held is free.
        Assert.All(json.RootElement.GetProperty("pages").EnumerateArray(), p => Assert.Equal("unmapped", p.GetProperty("location").GetString()));
        Assert.Contains("1=unmapped", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, json.RootElement.GetProperty("invariants").GetProperty("violations").GetInt32());
    }
}

public sealed class ScenarioDocumentationTests
{
    [Fact]
    public async Task The_commented_example_in_the_format_doc_runs_and_meets_its_expectations()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "docs", "scenarios.md"));
        int start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        int end = doc.IndexOf("```", start, StringComparison.Ordinal);
        using var temp = new TempDirectory();
        var scenario = temp.Write("tour.yaml", doc[start..end]);
        var jsonPath = temp.File("tour.json");

        var result = await CliProcess.RunAsync("scenario", scenario, "--json", jsonPath);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(jsonPath));
        var calls = json.RootElement.GetProperty("calls").EnumerateArray().ToList();
        // Every call kind the format has appears in the example.
        Assert.Equal(
            new[] { "exit", "mbind", "migrate", "migrate_pages", "mlock", "move_pages", "munmap", "pin", "read", "truncate", "unpin", "write" },
            calls.Select(c => c.GetProperty("call").GetString()).Distinct().Order(StringComparer.Ordinal).ToArray());
        Assert.All(calls, c => Assert.True(c.GetProperty("expectation_met").GetBoolean()));
    }
}
