using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Hosting.Tests.Telemetry.Otlp;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OtlpStatus = MigrationCluster.Hosting.Tests.Telemetry.Otlp.Status;

namespace MigrationCluster.Hosting.Tests.Telemetry;

public sealed class OtlpJsonFileExporterTests
{
    /// <summary>Only the flush at the end exports: one batch, whatever the machine's load.</summary>
    private static readonly BatchExportActivityProcessorOptions OneBatch = new() { ScheduledDelayMilliseconds = 600_000 };

    [Fact]
    public void A_batch_is_one_line_that_parses_as_an_OTLP_ExportTraceServiceRequest()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.OtlpJson." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName, "1.2.3");
        var otherName = sourceName + ".other";
        using var other = new ActivitySource(otherName);
        Activity root, client, step, late;

        var options = new TraceExportOptions { Targets = [TraceExportTarget.JsonLines(file.Path)], Batch = OneBatch };
        using (var session = MigrationClusterTracing.Start(options, [sourceName, otherName], "jsonl-test"))
        {
            Assert.NotNull(session);
            using (root = source.StartActivity("migrate_pages")!)
            {
                root.SetTag("migration.mode", "sync");
                root.SetTag("page.count", 2);
                root.SetTag("migration.ratio", 0.25);
                root.SetTag("migration.async", false);
                root.SetTag("pfns", new[] { 17L, 18L });
                root.SetTag("note", "quote \" and <angle> and ünïcode");
                using (client = other.StartActivity("INumaNodeGrain/LockPage", ActivityKind.Client)!)
                {
                    client.SetStatus(ActivityStatusCode.Ok);
                }

                using (step = source.StartActivity("try_to_unmap")!)
                {
                    step.SetTag("migration.step", 4);
                    step.AddEvent(new ActivityEvent("set_migration_pte", tags: new ActivityTagsCollection { ["pte.address"] = 4096L, ["pte.write"] = true }));
                    step.SetStatus(ActivityStatusCode.Error, "EAGAIN: refcount 3, expected 2");
                }
            }

            using (late = source.StartActivity("copy_page")!)
            {
                late.SetTag("bytes", 4096L);
            }
        }

        var lines = File.ReadAllLines(file.Path, Encoding.UTF8);
        var request = OtlpJsonLine.Parse(Assert.Single(lines));
        var resourceSpans = Assert.Single(request.ResourceSpans);
        Assert.Equal("jsonl-test", Attribute(resourceSpans.Resource.Attributes, "service.name").StringValue);
        Assert.Equal("opentelemetry", Attribute(resourceSpans.Resource.Attributes, "telemetry.sdk.name").StringValue);

        // One scopeSpans per ActivitySource, with its name and version.
        Assert.Equal(2, resourceSpans.ScopeSpans.Count);
        var ours = Assert.Single(resourceSpans.ScopeSpans, s => s.Scope.Name == sourceName);
        Assert.Equal("1.2.3", ours.Scope.Version);
        Assert.Equal(3, ours.Spans.Count);
        var grainCall = Assert.Single(Assert.Single(resourceSpans.ScopeSpans, s => s.Scope.Name == otherName).Spans);

        var spans = ours.Spans.ToDictionary(s => s.Name);
        var rootSpan = spans["migrate_pages"];
        Assert.Equal(Bytes(root.TraceId.ToHexString()), rootSpan.TraceId);
        Assert.Equal(Bytes(root.SpanId.ToHexString()), rootSpan.SpanId);
        Assert.True(rootSpan.ParentSpanId.IsEmpty);
        Assert.Equal(rootSpan.SpanId, spans["try_to_unmap"].ParentSpanId);
        Assert.Equal(rootSpan.SpanId, grainCall.ParentSpanId);
        Assert.Equal(Span.Types.SpanKind.Internal, rootSpan.Kind);
        Assert.Equal(Span.Types.SpanKind.Client, grainCall.Kind);
        Assert.Equal((ulong)SpanRecord.ToUnixNano(root.StartTimeUtc), rootSpan.StartTimeUnixNano);
        Assert.Equal((ulong)SpanRecord.ToUnixNano(root.StartTimeUtc + root.Duration), rootSpan.EndTimeUnixNano);
        Assert.Equal(0x101u, rootSpan.Flags); // sampled, parent known to be local

        Assert.Equal("sync", Attribute(rootSpan.Attributes, "migration.mode").StringValue);
        Assert.Equal(2, Attribute(rootSpan.Attributes, "page.count").IntValue);
        Assert.Equal(0.25, Attribute(rootSpan.Attributes, "migration.ratio").DoubleValue);
        Assert.Equal(AnyValue.ValueOneofCase.BoolValue, Attribute(rootSpan.Attributes, "migration.async").ValueCase);
        Assert.Equal([17L, 18L], Attribute(rootSpan.Attributes, "pfns").ArrayValue.Values.Select(v => v.IntValue));
        Assert.Equal("quote \" and <angle> and ünïcode", Attribute(rootSpan.Attributes, "note").StringValue);
        Assert.Equal(OtlpStatus.Types.StatusCode.Unset, rootSpan.Status.Code);
        Assert.Equal(OtlpStatus.Types.StatusCode.Ok, grainCall.Status.Code);

        var stepSpan = spans["try_to_unmap"];
        Assert.Equal(4, Attribute(stepSpan.Attributes, "migration.step").IntValue);
        var pte = Assert.Single(stepSpan.Events);
        Assert.Equal("set_migration_pte", pte.Name);
        Assert.Equal((ulong)SpanRecord.ToUnixNano(step.Events.Single().Timestamp.UtcDateTime), pte.TimeUnixNano);
        Assert.Equal(4096, Attribute(pte.Attributes, "pte.address").IntValue);
        Assert.True(Attribute(pte.Attributes, "pte.write").BoolValue);
        Assert.Equal(OtlpStatus.Types.StatusCode.Error, stepSpan.Status.Code);
        Assert.Equal("EAGAIN: refcount 3, expected 2", stepSpan.Status.Message);
        Assert.Equal(4096, Attribute(spans["copy_page"].Attributes, "bytes").IntValue);

        // The encoding's own rules, in the text: 64-bit integers as strings, enumerations as numbers.
        Assert.Contains($"\"startTimeUnixNano\":\"{SpanRecord.ToUnixNano(root.StartTimeUtc)}\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\":3", lines[0], StringComparison.Ordinal);
        Assert.Contains("{\"key\":\"page.count\",\"value\":{\"intValue\":\"2\"}}", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"status\":{\"message\":\"EAGAIN: refcount 3, expected 2\",\"code\":2}", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void What_the_exporter_writes_the_reader_reads_back_with_the_same_fields()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.OtlpJson." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var activities = new List<Activity>();
        using (var session = MigrationClusterTracing.Start(new TraceExportOptions { Targets = [TraceExportTarget.JsonLines(file.Path)], Batch = OneBatch }, [sourceName], "roundtrip"))
        {
            using var root = source.StartActivity("migrate_pages")!;
            activities.Add(root);
            root.SetTag("cost.factor", 3.0);
            root.SetTag("weights", new[] { 1.5, 2.0 });
            root.SetTag("nodes", new[] { "node0", "node1" });
            root.SetTag("nothing", null);
            using (var server = source.StartActivity("INumaNodeGrain/LockPage", ActivityKind.Server)!)
            {
                activities.Add(server);
                server.SetStatus(ActivityStatusCode.Error, "EBUSY");
                server.AddEvent(new ActivityEvent("remove_migration_pte"));
            }

            // A second batch: a second line.
            session!.ForceFlush();
            using var later = source.StartActivity("putback_lru_page")!;
            activities.Add(later);
        }

        Assert.Equal(2, File.ReadAllLines(file.Path).Length);
        var trace = TraceFile.Read(file.Path);
        Assert.Null(trace.CutLineNumber);
        var records = trace.Spans.ToDictionary(r => r.SpanId);
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
            Assert.Equal("roundtrip", record.ServiceName);
            Assert.Equal(activity.TagObjects.Where(t => t.Value is not null).Select(t => t.Key), record.Attributes.Select(a => a.Key));
        }

        var rootRecord = records[activities[0].SpanId.ToHexString()];
        Assert.IsType<double>(rootRecord.GetAttribute("cost.factor"));
        Assert.Equal(3.0, rootRecord.GetAttribute("cost.factor"));
        Assert.Equal(new object?[] { 1.5, 2.0 }, rootRecord.GetAttribute("weights"));
        Assert.Equal(new object?[] { "node0", "node1" }, rootRecord.GetAttribute("nodes"));
        var serverRecord = records[activities[1].SpanId.ToHexString()];
        Assert.Equal("EBUSY", serverRecord.StatusDescription);
        Assert.Equal("remove_migration_pte", Assert.Single(serverRecord.Events).Name);
    }

    [Fact]
    public void Export_called_from_many_threads_at_once_writes_each_batch_as_one_whole_line()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.OtlpJson." + Guid.NewGuid().ToString("N");
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
        using (var exporter = new OtlpJsonFileExporter(file.Path))
        {
            using var start = new Barrier(Threads);
            var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var workers = Enumerable.Range(0, Threads).Select(thread => new Thread(() =>
            {
                start.SignalAndWait();
                foreach (var batch in batches[thread])
                {
                    if (exporter.Export(new Batch<Activity>(batch, batch.Length)) != ExportResult.Success)
                    {
                        failures.Enqueue($"thread {thread} failed");
                    }
                }
            })).ToList();
            workers.ForEach(worker => worker.Start());
            workers.ForEach(worker => worker.Join());
            Assert.Empty(failures);
            Assert.Equal(Threads * BatchesPerThread * SpansPerBatch, exporter.SpansWritten);
            Assert.Equal(Threads * BatchesPerThread, exporter.LinesWritten);
            exporter.Shutdown();
        }

        var lines = File.ReadAllLines(file.Path);
        Assert.Equal(Threads * BatchesPerThread, lines.Length);
        Assert.All(lines, line => Assert.Equal(SpansPerBatch, OtlpJsonLine.Parse(line).ResourceSpans.Single().ScopeSpans.Single().Spans.Count));
        var records = TraceFile.Read(file.Path).Spans;
        Assert.Equal(Threads * BatchesPerThread * SpansPerBatch, records.Count);
        Assert.Equal(records.Count, records.Select(r => (r.GetAttribute("thread"), r.GetAttribute("index"))).Distinct().Count());
    }

    [Fact]
    public void Closing_the_session_while_spans_are_queued_writes_them_all_as_whole_lines()
    {
        using var file = new TempFile();
        var sourceName = "MigrationCluster.Tests.OtlpJson." + Guid.NewGuid().ToString("N");
        using var source = new ActivitySource(sourceName);
        var options = new TraceExportOptions
        {
            Targets = [TraceExportTarget.JsonLines(file.Path)],
            Batch = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 600_000, MaxExportBatchSize = 100, MaxQueueSize = 10_000 },
        };
        using (MigrationClusterTracing.Start(options, [sourceName], "queued"))
        {
            for (var i = 0; i < 1_000; i++)
            {
                source.StartActivity("lock_page")!.Dispose();
            }
        }

        var bytes = File.ReadAllBytes(file.Path);
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(10, File.ReadAllLines(file.Path).Length);
        Assert.Equal(1_000, TraceFile.Read(file.Path).Spans.Count);
    }

    private static ByteString Bytes(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static AnyValue Attribute(IEnumerable<KeyValue> attributes, string key) =>
        Assert.Single(attributes, a => a.Key == key).Value;
}
