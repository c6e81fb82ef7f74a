using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MigrationCluster.Hosting.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class JsonLinesRoundTripTests
{
    [Fact]
    public void Spans_written_through_Build_read_back_with_the_same_fields()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.Jsonl." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var activities = new List<Activity>();

        using (var provider = MigrationClusterTracing.Build(
            TraceExportOptions.Parse("jsonl:" + file.Path), [sourceName], "jsonl-test", _ => null))
        {
            Assert.NotNull(provider);
            using var root = source.StartActivity("migrate_pages")!;
            activities.Add(root);
            root.SetTag("migration.mode", "sync");
            root.SetTag("page.count", 2);
            root.SetTag("migration.ratio", 0.25);
            root.SetTag("cost.factor", 3.0);
            root.SetTag("migration.async", false);
            root.SetTag("pfns", new[] { 17L, 18L });
            root.SetTag("nodes", new[] { "node0", "node1" });
            root.SetTag("weights", new[] { 1.5, 2.0 });
            root.SetTag("note", "quote \" and <angle> and ünïcode");

            using (var clientActivity = source.StartActivity("INumaNodeGrain/LockPage", ActivityKind.Client)!)
            {
                activities.Add(clientActivity);
                using var serverActivity = source.StartActivity("INumaNodeGrain/LockPage", ActivityKind.Server)!;
                activities.Add(serverActivity);
                serverActivity.SetStatus(ActivityStatusCode.Ok);
            }

            using var stepActivity = source.StartActivity("try_to_unmap")!;
            activities.Add(stepActivity);
            stepActivity.SetTag("migration.step", 4);
            stepActivity.AddEvent(new ActivityEvent("set_migration_pte", tags: new ActivityTagsCollection { ["pte.address"] = 4096L, ["pte.write"] = true }));
            stepActivity.AddEvent(new ActivityEvent("remove_migration_pte"));
            stepActivity.SetStatus(ActivityStatusCode.Error, "EAGAIN: refcount 3, expected 2");
        }

        var lines = File.ReadAllLines(file.Path, Encoding.UTF8);
        Assert.Equal(4, lines.Length);

        // Each line is a complete JSON object with exactly the agreed fields.
        var expectedFields = new[]
        {
            "traceId", "spanId", "parentSpanId", "name", "kind", "startTimeUnixNano", "endTimeUnixNano",
            "status", "attributes", "events", "scope", "resource",
        };
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            var fields = document.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "statusDescription");
            Assert.Equal(expectedFields, fields);
            Assert.Equal(JsonValueKind.Number, document.RootElement.GetProperty("startTimeUnixNano").ValueKind);
        }

        var records = JsonLinesTraceReader.ReadFile(file.Path).ToDictionary(r => r.SpanId);
        Assert.Equal(activities.Count, records.Count);
        foreach (var activity in activities)
        {
            var record = records[activity.SpanId.ToHexString()];
            Assert.Equal(activity.TraceId.ToHexString(), record.TraceId);
            Assert.Equal(activity.ParentSpanId == default ? string.Empty : activity.ParentSpanId.ToHexString(), record.ParentSpanId);
            Assert.Equal(activity.DisplayName, record.Name);
            Assert.Equal(activity.Kind, record.Kind);
            Assert.Equal(SpanRecord.ToUnixNano(activity.StartTimeUtc), record.StartTimeUnixNano);
            Assert.Equal(SpanRecord.ToUnixNano(activity.StartTimeUtc + activity.Duration), record.EndTimeUnixNano);
            Assert.Equal(activity.Status, record.Status);
            Assert.Equal(sourceName, record.ScopeName);
            Assert.Equal("jsonl-test", record.ServiceName);
            Assert.Equal(activity.TagObjects.Select(t => t.Key), record.Attributes.Select(a => a.Key));
            Assert.Equal(activity.Events.Select(e => e.Name), record.Events.Select(e => e.Name));
            Assert.Equal(
                activity.Events.Select(e => SpanRecord.ToUnixNano(e.Timestamp.UtcDateTime)),
                record.Events.Select(e => e.TimeUnixNano));
        }

        var rootRecord = records[activities[0].SpanId.ToHexString()];
        Assert.True(rootRecord.IsRoot);
        Assert.Equal("", rootRecord.ParentSpanId);
        AssertValue("sync", rootRecord.GetAttribute("migration.mode"));
        AssertValue(2L, rootRecord.GetAttribute("page.count"));
        AssertValue(0.25, rootRecord.GetAttribute("migration.ratio"));

        // An integral double stays a double through the file, and an integer stays an integer.
        AssertValue(3.0, rootRecord.GetAttribute("cost.factor"));
        AssertValue(false, rootRecord.GetAttribute("migration.async"));
        Assert.Equal(new object?[] { 17L, 18L }, rootRecord.GetAttribute("pfns"));
        Assert.Equal(new object?[] { "node0", "node1" }, rootRecord.GetAttribute("nodes"));
        Assert.Equal(new object?[] { 1.5, 2.0 }, rootRecord.GetAttribute("weights"));
        AssertValue("quote \" and <angle> and ünïcode", rootRecord.GetAttribute("note"));
        Assert.Null(rootRecord.StatusDescription);

        var client = records[activities[1].SpanId.ToHexString()];
        var server = records[activities[2].SpanId.ToHexString()];
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Ok, server.Status);

        var step = records[activities[3].SpanId.ToHexString()];
        Assert.Equal(rootRecord.SpanId, step.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, step.Status);
        Assert.Equal("EAGAIN: refcount 3, expected 2", step.StatusDescription);
        AssertValue(4L, step.GetAttribute("migration.step"));
        Assert.Equal(2, step.Events.Count);
        Assert.Equal(
            [new KeyValuePair<string, object?>("pte.address", 4096L), new KeyValuePair<string, object?>("pte.write", true)],
            step.Events[0].Attributes);
        Assert.Empty(step.Events[1].Attributes);
    }

    [Fact]
    public void Text_of_a_line_has_the_agreed_shape()
    {
        var sourceName = "MigrationCluster.Tests.Jsonl." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        using var stream = new MemoryStream();
        using (var provider = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .AddProcessor(new SimpleActivityExportProcessor(new JsonLinesSpanExporter(stream, leaveOpen: true)))
            .Build())
        {
            using var activity = source.StartActivity("lock_page", ActivityKind.Internal)!;
            activity.SetTag("migration.step", 1);
            activity.SetStatus(ActivityStatusCode.Error, "EBUSY");
        }

        var line = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"parentSpanId\":\"\"", line, StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"internal\"", line, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"error\",\"statusDescription\":\"EBUSY\"", line, StringComparison.Ordinal);
        Assert.Contains("\"attributes\":{\"migration.step\":1}", line, StringComparison.Ordinal);
        Assert.Contains("\"events\":[]", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_called_from_many_threads_at_once_writes_each_span_as_one_whole_line()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.Jsonl." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        const int Threads = 8;
        const int BatchesPerThread = 50;
        const int SpansPerBatch = 10;

        var batches = Enumerable.Range(0, Threads).Select(thread => Enumerable.Range(0, BatchesPerThread).Select(b =>
        {
            var activities = new Activity[SpansPerBatch];
            for (var i = 0; i < SpansPerBatch; i++)
            {
                activities[i] = source.StartActivity("copy_page")!;
                activities[i].SetTag("thread", thread);
                activities[i].SetTag("index", (b * SpansPerBatch) + i);
                activities[i].SetTag("padding", new string('x', 200 + i));
                activities[i].Stop();
            }

            return activities;
        }).ToList()).ToList();

        // No processor in between: the exporter's own lock is all that keeps the lines whole.
        using (var exporter = new JsonLinesSpanExporter(file.Path))
        {
            // Dedicated threads (not the pool, which a barrier would starve on a small machine).
            using var start = new Barrier(Threads);
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var workers = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                start.SignalAndWait();
                foreach (var batch in batches[thread])
                {
                    if (exporter.Export(new Batch<Activity>(batch, batch.Length)) != ExportResult.Success || !exporter.ForceFlush())
                    {
                        failures.Enqueue($"thread {thread} failed");
                    }
                }
            })).ToList();
            workers.ForEach(worker => worker.Start());
            workers.ForEach(worker => worker.Join());
            Assert.Empty(failures);
            Assert.Equal(Threads * BatchesPerThread * SpansPerBatch, exporter.SpansWritten);
            exporter.Shutdown();
        }

        var records = JsonLinesTraceReader.ReadFile(file.Path);
        Assert.Equal(Threads * BatchesPerThread * SpansPerBatch, records.Count);
        Assert.Equal(records.Count, records.Select(r => (r.GetAttribute("thread"), r.GetAttribute("index"))).Distinct().Count());
    }

    private static void AssertValue<T>(T expected, object? actual)
    {
        var typed = Assert.IsType<T>(actual);
        Assert.Equal(expected, typed);
    }
}
