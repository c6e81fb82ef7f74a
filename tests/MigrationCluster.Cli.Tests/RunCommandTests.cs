using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting.Tests.Telemetry.Otlp;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private static readonly int[] AnonymousSteps = [1, 2, 3, 4, 6, 8, 10, 12, 13, 14, 15, 16, 19, 20];
    private static readonly int[] FileSteps = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-run-" + Guid.NewGuid().ToString("N"));

    public RunCommandTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_paced_run_takes_at_least_its_pages_over_the_pace_even_when_each_call_is_one_batch()
    {
        // 2 processes of 64 pages: one migrate_pages call per source node, each a single batch of
        // 64 pages. At 64 pages/s in all (32 per call) the migration cannot take less than 2 s of
        // wall time, however fast the host (a lower bound: a slow host only makes it longer).
        var json = Path.Combine(_directory, "paced.json");
        var result = await CliProcess.RunAsync("run", "--nodes", "2", "--address-spaces", "2", "--pages", "64", "--accesses", "50", "--pace", "64", "--json", json);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(128, root.GetProperty("migrated").GetInt32());
        var wallMs = root.GetProperty("host").GetProperty("migration_ms").GetDouble();
        Assert.True(wallMs >= 1_950, $"128 pages at --pace 64 took {wallMs:0} ms of wall time");
    }

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
        var result = await CliProcess.RunAsync("run", "--nodes", "2", "--address-spaces", "2", "--pages", "48", "--pinned", "1", "--accesses", "50", "--json", json, "--trace", $"jsonl:{trace}", "--trace-pages");
        Assert.True(result.ExitCode == 0, result.Stderr);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, document.RootElement.GetProperty("failed").GetInt32()); // one pinned page per process
        Assert.Equal(2, document.RootElement.GetProperty("errno_counts").GetProperty("EAGAIN").GetInt32());

        // Every line is an OTLP ExportTraceServiceRequest (strict protobuf JSON parse, hex ids), several spans a line.
        var lines = File.ReadAllLines(trace);
        var requests = lines.Select(OtlpJsonLine.Parse).ToList();
        var protoSpans = requests.SelectMany(r => r.ResourceSpans).SelectMany(rs => rs.ScopeSpans).SelectMany(ss => ss.Spans).ToList();
        Assert.True(protoSpans.Count > lines.Length, $"{protoSpans.Count} spans on {lines.Length} lines");
        Assert.All(requests, r => Assert.Equal("migration-cluster", r.ResourceSpans.Single().Resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue));
        Assert.All(protoSpans, s => Assert.True(s.TraceId.Length == 16 && s.SpanId.Length == 8 && s.StartTimeUnixNano > 0 && s.EndTimeUnixNano >= s.StartTimeUnixNano));
        Assert.All(lines, line => Assert.Matches("\"startTimeUnixNano\":\"[0-9]+\"", line));

        var spans = TraceFile.Read(trace).Spans;
        Assert.Equal(protoSpans.Count, spans.Count);
        var children = spans.ToLookup(s => s.ParentSpanId);
        var pages = spans.Where(s => s.Name == "unmap_and_move").ToList();
        Assert.NotEmpty(pages);
        // NUMA balancing migrates each source node's pages in a call of its own: one migrate_pages span per node, all in one trace.
        var roots = spans.Where(s => s.Name == "migrate_pages").ToList();
        Assert.Equal(2, roots.Count);
        Assert.Single(roots.Select(r => r.TraceId).Distinct());

        int migrated = 0, backedOut = 0;
        foreach (var page in pages)
        {
            var steps = children[page.SpanId]
                .Where(s => s.GetAttribute("migration.step") is not null)
                .OrderBy(s => s.StartTimeUnixNano)
                .Select(s => (Step: (int)(long)s.GetAttribute("migration.step")!, s.Name, Undo: s.GetAttribute("migration.undo") is not null))
                .ToList();
            var forward = steps.Where(s => !s.Undo).Select(s => s.Step).ToArray();
            var errno = (long)page.GetAttribute("errno")!;
            if (errno == 0)
            {
                migrated++;
                Assert.True(forward.SequenceEqual(AnonymousSteps) || forward.SequenceEqual(FileSteps), string.Join(",", forward));
                Assert.DoesNotContain(steps, s => s.Undo);
            }
            else
            {
                backedOut++;
                var failedAt = (int)(long)page.GetAttribute("migration.failed_step")!;
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
        var stepSpanIds = spans.Where(s => s.GetAttribute("migration.step") is not null).Select(s => s.SpanId).ToHashSet();
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && stepSpanIds.Contains(s.ParentSpanId));
        Assert.Contains(spans, s => s.Name == "try_to_unmap" && s.Events.Any(e => e.Name == "set_migration_pte"));

        // trace show draws the file as a tree: the migration under the command's call, each step under its page.
        var shown = await CliProcess.RunAsync("trace", "show", trace);
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Matches(@"\n(│   |    )*[├└]── migrate_pages [0-9.]+ [µm]?s  mode=MIGRATE_SYNC", shown.Stdout);
        Assert.Matches(@"\n(│   |    )*[├└]── lock_page [0-9.]+ [µm]?s  step=1 pfn=[0-9]+", shown.Stdout);
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
        Assert.Matches(@"Activity\.DisplayName:\s+INumaNodeMigrationGrain/LockPage\n", result.Stdout);
        Assert.Matches(@"Activity\.DisplayName:\s+IMigrationCoordinatorGrain/MigratePages\n", result.Stdout);
        Assert.Contains("migration.step: 4", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_three_silos_one_trace_holds_the_migration_with_orleans_grain_calls_under_the_step_spans()
    {
        var trace = Path.Combine(_directory, "trace.jsonl");
        var result = await CliProcess.RunAsync("run", "--silos", "3", "--nodes", "3", "--address-spaces", "3", "--pages", "32", "--accesses", "50", "--trace", $"jsonl:{trace}");
        Assert.True(result.ExitCode == 0, result.Stderr);

        var spans = TraceFile.Read(trace).Spans;
        // One migrate_pages call per source node (3), all in the trace the command began.
        var roots = spans.Where(s => s.Name == "migrate_pages").ToList();
        Assert.Equal(3, roots.Count);
        var traceId = Assert.Single(roots.Select(r => r.TraceId).Distinct());
        // The command's call into the cluster began the trace; the migration and all its steps are in it.
        Assert.Contains(spans, s => s.Name == "IExperimentGrain/Run" && s.Kind == ActivityKind.Client && s.TraceId == traceId);
        var steps = spans.Where(s => s.GetAttribute("migration.step") is not null).ToList();
        Assert.All(steps, s => Assert.Equal(traceId, s.TraceId));

        var stepOfSpan = steps.ToDictionary(s => s.SpanId, s => (long)s.GetAttribute("migration.step")!);
        var stepsWithGrainCalls = spans
            .Where(s => s.Kind == ActivityKind.Client && s.Name.Contains("Grain/", StringComparison.Ordinal))
            .Select(s => s.ParentSpanId)
            .Where(stepOfSpan.ContainsKey)
            .Select(p => stepOfSpan[p])
            .ToHashSet();
        Assert.True(stepsWithGrainCalls.Count >= 12, $"grain calls under {stepsWithGrainCalls.Count} distinct steps");
    }

    [Fact]
    public async Task The_default_run_traced_to_the_console_is_a_readable_trace_with_every_step()
    {
        var result = await CliProcess.RunAsync("run", "--trace", "console");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n');
        Assert.True(lines.Length < 20_000, $"{lines.Length} lines");
        var names = Regex.Matches(result.Stdout, @"Activity\.DisplayName:\s+(\S+)\n").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.All(MigrationSteps.InOrder, step => Assert.Contains(step.KernelName(), names));
        Assert.Equal(18, MigrationSteps.InOrder.Count());
        Assert.DoesNotContain(names, n => n.EndsWith("/FileSize", StringComparison.Ordinal) || n.EndsWith("/Access", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Otlp_reads_OTEL_variables_through_the_SDK_and_reports_the_spans_no_collector_received()
    {
        var trace = Path.Combine(_directory, "trace.jsonl");
        // A port nothing listens on, outside the kernel's ephemeral range.
        var port = MigrationCluster.Hosting.LoopbackPorts.Free(1)[0];
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000",
            ["OTEL_SERVICE_NAME"] = "from-env",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=lab,host.role=silo%201",
        };

        var result = await CliProcess.RunAsync(environment, "run", "--nodes", "2", "--address-spaces", "1", "--pages", "8", "--tasks", "1", "--accesses", "5", "--trace", $"otlp,jsonl:{trace}");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var written = TraceFile.Read(trace).Spans;
        var line = Assert.Single(result.StderrLines);
        Assert.Matches($@"^migration-cluster: otlp: ([0-9,]+) of \1 spans could not be delivered to http://127\.0\.0\.1:{port}/ \(grpc\); is a collector listening there \(OTEL_EXPORTER_OTLP_ENDPOINT\)\?$", line);
        Assert.Contains($" {written.Count:N0} of {written.Count:N0} spans", line, StringComparison.Ordinal);
        // The SDK's resource detector read the service name and attributes.
        Assert.All(written, s => Assert.Equal("from-env", s.ServiceName));
        Assert.All(written, s => Assert.Contains(new KeyValuePair<string, object?>("host.role", "silo 1"), s.Resource));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    public async Task A_bad_OTEL_value_is_one_line_naming_the_variable_and_exit_2(string variable, string value)
    {
        var trace = Path.Combine(_directory, "trace.jsonl");

        var result = await CliProcess.RunAsync(new Dictionary<string, string> { [variable] = value }, "run", "--nodes", "2", "--trace", $"otlp,jsonl:{trace}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"migration-cluster: {variable} is '{value}': expected ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(trace), "the trace file was created before the variable was checked");
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
    [InlineData("--schedule", "fastest")]
    [InlineData("--trace-clock", "wall")]
    [InlineData("--seeds", "10..1")]
    [InlineData("--seeds", "1-10")]
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

    /// <summary>The document minus its <c>host</c> object, as text: what must not depend on the host.</summary>
    private static string WithoutHost(JsonElement document)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(document.GetRawText())!.AsObject();
        Assert.True(node.Remove("host"), "the document has a host object");
        return node.ToJsonString();
    }

    [Fact]
    public async Task Ten_seeds_give_the_same_documents_minus_host_twice_on_one_silo_and_on_three()
    {
        string[] run = ["run", "--nodes", "3", "--address-spaces", "3", "--pages", "64", "--accesses", "40", "--seeds", "1..10"];
        var a = Path.Combine(_directory, "a.json");
        var b = Path.Combine(_directory, "b.json");
        var c = Path.Combine(_directory, "c.json");
        var results = await Task.WhenAll(
            CliProcess.RunAsync([.. run, "--json", a]),
            CliProcess.RunAsync([.. run, "--json", b]),
            CliProcess.RunAsync([.. run, "--silos", "3", "--json", c]));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        using var first = JsonDocument.Parse(File.ReadAllText(a));
        using var again = JsonDocument.Parse(File.ReadAllText(b));
        using var threeSilos = JsonDocument.Parse(File.ReadAllText(c));
        var docs = first.RootElement.EnumerateArray().ToList();
        Assert.Equal(10, docs.Count);
        for (var i = 0; i < docs.Count; i++)
        {
            Assert.Equal(i + 1, docs[i].GetProperty("seed").GetInt32());
            Assert.True(docs[i].GetProperty("simulated").GetProperty("migration_ns").GetInt64() > 0);
            Assert.Equal(0, docs[i].GetProperty("invariants").GetProperty("total").GetInt32());
            Assert.Equal(WithoutHost(docs[i]), WithoutHost(again.RootElement[i]));
            Assert.Equal(WithoutHost(docs[i]), WithoutHost(threeSilos.RootElement[i]));
        }
        // Seeds explore interleavings: the tasks' accesses and their sleeps on page locks differ.
        var during = docs.Select(d => d.GetProperty("simulated").GetProperty("during")).Select(d => (d.GetProperty("accesses").GetInt64(), d.GetProperty("sleep_ns").GetInt64())).ToHashSet();
        Assert.True(during.Count > 5, $"only {during.Count} different interleavings over 10 seeds");
        Assert.All(docs, d => Assert.True(d.GetProperty("simulated").GetProperty("during").GetProperty("sleeps").GetInt64() > 0));
    }

    [Fact]
    public async Task Default_trace_has_one_span_per_step_per_batch_on_the_simulated_clock_and_no_access_calls()
    {
        var trace = Path.Combine(_directory, "trace.jsonl");
        var json = Path.Combine(_directory, "result.json");
        var result = await CliProcess.RunAsync("run", "--nodes", "2", "--address-spaces", "2", "--pages", "48", "--accesses", "50", "--trace", $"jsonl:{trace}", "--json", json);
        Assert.True(result.ExitCode == 0, result.Stderr);
        // The trace file is OTLP/JSON lines: read it as trace show does.
        var spans = MigrationCluster.Hosting.Telemetry.TraceFile.Read(trace).Spans;
        Assert.DoesNotContain(spans, s => s.Name == "unmap_and_move");
        Assert.DoesNotContain(spans, s => s.Name.EndsWith("/Access", StringComparison.Ordinal));
        var batches = spans.Where(s => s.Name == "migrate_pages_batch").ToList();
        Assert.Equal(2, batches.Count); // one batch per source node's call
        var children = spans.ToLookup(s => s.ParentSpanId);
        long simulated = 0;
        foreach (var batch in batches)
        {
            var steps = children[batch.SpanId]
                .Select(s => (Step: Convert.ToInt32(s.GetAttribute("migration.step"), System.Globalization.CultureInfo.InvariantCulture), Start: Convert.ToInt64(s.GetAttribute("sim.start_ns"), System.Globalization.CultureInfo.InvariantCulture), Duration: Convert.ToInt64(s.GetAttribute("sim.duration_ns"), System.Globalization.CultureInfo.InvariantCulture)))
                .OrderBy(s => s.Start).ThenBy(s => s.Step)
                .ToList();
            Assert.Equal(FileSteps, steps.Select(s => s.Step));
            // Back to back on the call's simulated clock, from 0.
            Assert.Equal(0, steps[0].Start);
            for (var i = 1; i < steps.Count; i++)
            {
                Assert.Equal(steps[i - 1].Start + steps[i - 1].Duration, steps[i].Start);
            }
            Assert.All(steps, s => Assert.True(s.Duration > 0));
            simulated = Math.Max(simulated, steps[^1].Start + steps[^1].Duration);
        }
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(simulated, document.RootElement.GetProperty("simulated").GetProperty("migration_ns").GetInt64());
    }

    [Fact]
    public async Task Trace_clock_simulated_exports_the_kernel_timeline_from_the_fixed_epoch_and_the_same_seed_gives_the_same_timestamps()
    {
        var first = Path.Combine(_directory, "first.jsonl");
        var again = Path.Combine(_directory, "again.jsonl");
        var host = Path.Combine(_directory, "host.jsonl");
        string[] run = ["run", "--nodes", "2", "--address-spaces", "2", "--pages", "48", "--accesses", "20", "--seed", "7"];
        var results = await Task.WhenAll(
            CliProcess.RunAsync([.. run, "--trace", $"jsonl:{first}", "--trace-clock", "simulated"]),
            CliProcess.RunAsync([.. run, "--trace", $"jsonl:{again}", "--trace-clock", "simulated"]),
            CliProcess.RunAsync([.. run, "--trace", $"jsonl:{host}"]));
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        var spans = TraceFile.Read(first).Spans;
        var epoch = SpanRecord.ToUnixNano(SimulatedClockSpanProcessor.Epoch);
        static long Attribute(SpanRecord span, string name) => Convert.ToInt64(span.GetAttribute(name), System.Globalization.CultureInfo.InvariantCulture);

        // Every protocol span is where its simulated attributes say (in whole ticks of 100 ns).
        var simulated = spans.Where(s => s.GetAttribute("sim.start_ns") is not null).ToList();
        Assert.Contains(simulated, s => s.Name == "try_to_unmap");
        Assert.Contains(simulated, s => s.Name == "migrate_pages");
        Assert.All(simulated, s =>
        {
            var start = Attribute(s, "sim.start_ns");
            Assert.Equal(epoch + (start / 100 * 100), s.StartTimeUnixNano);
            Assert.Equal(epoch + ((start + Attribute(s, "sim.duration_ns")) / 100 * 100), s.EndTimeUnixNano);
        });
        // The calls start at the epoch; a step's grain calls sit inside its step; nothing is on the host's clock.
        Assert.All(spans.Where(s => s.Name == "migrate_pages"), s => Assert.Equal(epoch, s.StartTimeUnixNano));
        var byId = spans.ToDictionary(s => s.SpanId);
        var underSteps = spans.Where(s => byId.TryGetValue(s.ParentSpanId, out var parent) && parent.GetAttribute("migration.step") is not null).ToList();
        Assert.NotEmpty(underSteps);
        Assert.All(underSteps, s => Assert.InRange(s.StartTimeUnixNano, byId[s.ParentSpanId].StartTimeUnixNano, byId[s.ParentSpanId].EndTimeUnixNano));
        var end = simulated.Max(s => s.EndTimeUnixNano);
        Assert.All(spans, s => Assert.InRange(s.StartTimeUnixNano, epoch, end));

        // The same seed: the migration's spans, and the grain calls its steps make, at the same
        // instants. (Other grain calls may differ in number: a silo fetches the machine's cost
        // model once, or twice when two calls miss its cache together.)
        static List<string> Timeline(IReadOnlyList<SpanRecord> spans)
        {
            var migration = spans.Where(s => s.ScopeName == MigrationSteps.ActivitySourceName).ToDictionary(s => s.SpanId);
            return [.. spans.Where(s => migration.ContainsKey(s.SpanId) || migration.ContainsKey(s.ParentSpanId))
                .Select(s => $"{s.Name} {s.StartTimeUnixNano} {s.EndTimeUnixNano}").Order(StringComparer.Ordinal)];
        }
        var timeline = Timeline(spans);
        Assert.True(timeline.Count > simulated.Count, $"{timeline.Count} spans of the migration and its steps' grain calls");
        Assert.Equal(timeline, Timeline(TraceFile.Read(again).Spans));
        // The default stays the host's clock.
        Assert.All(TraceFile.Read(host).Spans, s => Assert.True(s.StartTimeUnixNano > SpanRecord.ToUnixNano(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc))));
    }
}
