using System.Diagnostics;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using static MigrationCluster.Grains.Migration.MigrationTelemetry;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// Turns the protocol driver's reports into the migration's trace: a root <c>migrate_pages</c>
/// span, a span per pass, a <c>migrate_pages_batch</c> span per batch and under it one span per
/// step, named after the kernel function, with the step number, the pages it touched, those it
/// undid and those that failed in it, and its simulated start and duration (<c>sim.start_ns</c>,
/// <c>sim.duration_ns</c>). With per-page spans (<see cref="MigrationTelemetry.TracePagesContextKey"/> in the request
/// context: <c>run --trace-pages</c>) there is instead an <c>unmap_and_move</c> span per page and
/// pass, and under it one span per step the page went through; a page that failed a step gets no
/// spans for later forward steps, only for the undo steps that touch it (tagged
/// <c>migration.undo</c>). While a step runs, the current activity is its span (or the step span
/// of the batch's first page), so the runtime's grain-call spans of that step nest under it.
/// It also times each step of each batch on the host for the simulator's speed figures.
/// </summary>
internal sealed class MigrationTracer(MigrationClock? clock = null) : MigrationObserver
{
    private readonly bool _perPage = RequestContext.Get(TracePagesContextKey) is true;
    private Activity? _batch;
    private Activity? _step;

    private readonly Dictionary<PageRef, PageSpans> _pages = [];
    private readonly List<(PageSpans Page, Activity Span)> _stepSpans = [];
    private readonly Dictionary<MigrationStep, List<double>> _latency = [];
    private Activity? _root;
    private Activity? _pass;
    private Activity? _beforeStep;
    private long _stepStarted;

    public int RetriedPages { get; private set; }

    /// <summary>The trace the migration was recorded in (its root span's), or null when nobody recorded it.</summary>
    public string? TraceId => _root is { Recorded: true } root ? root.TraceId.ToHexString() : null;

    public IReadOnlyList<StepLatency> StepLatencies => [.. MigrationSteps.InOrder
        .Where(_latency.ContainsKey)
        .Select(s => StepLatency.FromBatches(s.Number(), s.KernelName(), _latency[s]))];

    /// <summary>Each step's batch durations, in step order.</summary>
    public IReadOnlyList<StepBatchTimes> StepBatchTimes => [.. MigrationSteps.InOrder
        .Where(_latency.ContainsKey)
        .Select(s => new StepBatchTimes(s.Number(), s.KernelName(), [.. _latency[s]]))];

    public override void MigrationStarted(MigrateMode mode, MigrateReason reason, int pages)
    {
        // Under the incoming grain call's span (Activity.Current), so the migration joins the caller's trace.
        _root = Source.StartActivity(Spans.MigratePages);
        if (clock is not null)
        {
            // A call's simulated time starts at 0.
            _root?.SetTag(Tags.SimStart, 0L);
        }
        _root?.SetTag(Tags.Mode, MigrateNames.Of(mode));
        _root?.SetTag(Tags.Reason, MigrateNames.Of(reason));
        _root?.SetTag(Tags.PageCount, pages);
    }

    public override void MigrationEnded(MigrateResult result)
    {
        if (_root is null)
        {
            return;
        }
        _root.SetTag(Tags.Succeeded, result.Succeeded);
        _root.SetTag(Tags.Failed, result.Failed);
        _root.SetTag(Tags.Retried, RetriedPages);
        _root.SetTag(Tags.Passes, result.Passes);
        _root.SetTag(Tags.ReturnValue, result.ReturnValue);
        if (clock is not null)
        {
            _root.SetTag(Tags.SimStart, 0L);
            _root.SetTag(Tags.SimDuration, clock.NowNs);
            _root.SetTag(Tags.TlbShootdowns, clock.TlbShootdowns);
            _root.SetTag(Tags.TlbIpis, clock.TlbIpis);
        }
        _root.Stop();
    }

    public override void PassStarted(int pass, int pages)
    {
        var current = Activity.Current;
        _pass = Source.StartActivity(Spans.Pass, ActivityKind.Internal, _root?.Context ?? default);
        _pass?.SetTag(Tags.Pass, pass);
        _pass?.SetTag(Tags.PageCount, pages);
        Activity.Current = current;
    }

    public override void PassEnded(int pass, int retry)
    {
        _pass?.SetTag(Tags.Retried, retry);
        StopKeepingCurrent(_pass);
        _pass = null;
    }

    public override void PageStarted(int pass, in MigrationPage page)
    {
        if (_root is null || !_perPage)
        {
            // Nobody records the migration: no per-page bookkeeping either.
            return;
        }
        var current = Activity.Current;
        var span = Source.StartActivity(Spans.UnmapAndMove, ActivityKind.Internal, _pass?.Context ?? _root.Context);
        if (span is null)
        {
            return;
        }
        span.SetTag(Tags.Pfn, page.Old.Pfn);
        span.SetTag(Tags.SourceNode, page.Old.Node);
        span.SetTag(Tags.TargetNode, page.TargetNode);
        span.SetTag(Tags.Pass, pass);
        Activity.Current = current;
        _pages[page.Old] = new PageSpans(span);
    }

    public override void PageEnded(int pass, in MigrationPage page, int errno)
    {
        if (errno == -Errno.EAGAIN)
        {
            RetriedPages++;
        }
        if (_pages.Count == 0 || !_pages.Remove(page.Old, out var spans))
        {
            return;
        }
        if (!page.New.IsNone)
        {
            _pages.Remove(page.New);
        }
        if (spans.Span is { } span)
        {
            span.SetTag(Tags.Errno, errno);
            span.SetTag(Tags.ErrnoName, Errno.Name(errno));
            if (errno == 0)
            {
                span.SetTag(Tags.NewPfn, page.New.Pfn);
            }
            else
            {
                span.SetStatus(ActivityStatusCode.Error, Errno.Name(errno));
            }
            StopKeepingCurrent(span);
        }
    }

    public override void StepStarted(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        _stepStarted = Stopwatch.GetTimestamp();
        _beforeStep = Activity.Current;
        _stepSpans.Clear();
        if (!_perPage)
        {
            StartBatchStep(step, batch);
            return;
        }
        if (_pages.Count == 0)
        {
            return;
        }
        Activity? first = null;
        foreach (var page in batch)
        {
            if (!_pages.TryGetValue(page.Old, out var spans) || spans.Span is null || !TouchedBy(step, page, out var undo))
            {
                continue;
            }
            var span = Source.StartActivity(step.KernelName(), ActivityKind.Internal, spans.Span.Context);
            if (span is null)
            {
                continue;
            }
            span.SetTag(Tags.Step, step.Number());
            span.SetTag(Tags.Pfn, page.Old.Pfn);
            span.SetTag(Tags.SourceNode, page.Old.Node);
            span.SetTag(Tags.TargetNode, page.TargetNode);
            span.SetTag(Tags.BatchSize, batch.Length);
            if (undo)
            {
                span.SetTag(Tags.Undo, true);
            }
            spans.Step = span;
            _stepSpans.Add((spans, span));
            first ??= span;
        }
        // The step's grain calls run under the first page's step span.
        Activity.Current = first ?? _beforeStep;
    }

    public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        var elapsed = Stopwatch.GetElapsedTime(_stepStarted).TotalMilliseconds;
        if (!_latency.TryGetValue(step, out var batches))
        {
            batches = [];
            _latency[step] = batches;
        }
        // One entry per batch (up to 512 pages): the step's percentiles come from them.
        batches.Add(elapsed);
        StepDuration.Record(elapsed, new KeyValuePair<string, object?>(Tags.Step, step.Number()));
        if (!_perPage)
        {
            EndBatchStep(step, batch);
            return;
        }
        if (_pages.Count == 0)
        {
            return;
        }

        foreach (var page in batch)
        {
            if (step == MigrationStep.LockNewPage && !page.New.IsNone && _pages.TryGetValue(page.Old, out var spans))
            {
                // From here on, step 16 reports PTEs by the new page.
                _pages[page.New] = spans;
            }
        }
        foreach (var (pageSpans, span) in _stepSpans)
        {
            SetSimulatedTime(span);
            StopKeepingCurrent(span);
            pageSpans.Step = null;
        }
        for (var i = 0; i < batch.Length; i++)
        {
            var page = batch[i];
            if (page.Result != 0 && _pages.TryGetValue(page.Old, out var spans) && spans.FailedAt is null)
            {
                spans.FailedAt = step;
                spans.Span?.SetTag("migration.failed_step", step.Number());
            }
        }
        _stepSpans.Clear();
        Activity.Current = _beforeStep;
    }

    /// <summary>One span for the step on the whole batch, under the batch's span (opened by its first step).</summary>
    private void StartBatchStep(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        if (_root is null)
        {
            return;
        }
        var current = Activity.Current;
        if (_batch is null)
        {
            _batch = Source.StartActivity(Spans.Batch, ActivityKind.Internal, _pass?.Context ?? _root.Context);
            _batch?.SetTag(Tags.PageCount, batch.Length);
            _batch?.SetTag(Tags.SimStart, clock?.StepStartNs ?? 0);
        }
        _step = _batch is null ? null : Source.StartActivity(step.KernelName(), ActivityKind.Internal, _batch.Context);
        if (_step is null)
        {
            Activity.Current = current;
            return;
        }
        int touched = 0, undone = 0;
        foreach (ref readonly var page in batch)
        {
            if (step.Touches(page, out var undo))
            {
                touched++;
                undone += undo ? 1 : 0;
            }
        }
        _step.SetTag(Tags.Step, step.Number());
        if (clock is not null)
        {
            // Known now: the step's grain calls are placed at it on the simulated clock.
            _step.SetTag(Tags.SimStart, clock.StepStartNs);
        }
        _step.SetTag(Tags.BatchSize, batch.Length);
        _step.SetTag(Tags.PageCount, touched);
        if (undone > 0)
        {
            _step.SetTag(Tags.UndoPages, undone);
        }
        // The step's grain calls nest under its span.
        Activity.Current = _step;
    }

    private void EndBatchStep(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        if (_step is { } span)
        {
            int failed = 0;
            foreach (ref readonly var page in batch)
            {
                failed += page.Result != 0 ? 1 : 0;
            }
            span.SetTag(Tags.FailedPages, failed);
            SetSimulatedTime(span);
            StopKeepingCurrent(span);
            _step = null;
        }
        if (step == MigrationStep.PutbackLruPage && _batch is { } batchSpan)
        {
            var succeeded = 0;
            foreach (ref readonly var page in batch)
            {
                succeeded += page.Result == 0 ? 1 : 0;
            }
            batchSpan.SetTag(Tags.Succeeded, succeeded);
            batchSpan.SetTag(Tags.Failed, batch.Length - succeeded);
            if (clock is not null)
            {
                batchSpan.SetTag(Tags.SimDuration, clock.NowNs - (long)batchSpan.GetTagItem(Tags.SimStart)!);
            }
            StopKeepingCurrent(batchSpan);
            _batch = null;
        }
        Activity.Current = _beforeStep;
    }

    private void SetSimulatedTime(Activity span)
    {
        if (clock is not null)
        {
            span.SetTag(Tags.SimStart, clock.StepStartNs);
            span.SetTag(Tags.SimDuration, clock.StepDurationNs);
        }
    }

    public override void SetMigrationPte(PageRef page, PteRef pte) => AddPteEvent(page, pte, Events.SetMigrationPte);

    public override void RemoveMigrationPte(PageRef page, PteRef pte) => AddPteEvent(page, pte, Events.RemoveMigrationPte);

    public override void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters) =>
        _pass?.AddEvent(new ActivityEvent("unlock_page_wakeup", tags: new ActivityTagsCollection { [Tags.WokenTasks] = waiters.Count }));

    private void AddPteEvent(PageRef page, PteRef pte, string name)
    {
        if (_pages.TryGetValue(page, out var spans) && spans.Step is { } step)
        {
            step.AddEvent(new ActivityEvent(name, tags: new ActivityTagsCollection
            {
                [Tags.AddressSpace] = pte.Space,
                [Tags.VirtualPage] = pte.VirtualPage,
            }));
        }
    }

    /// <summary>Whether the step does anything to the page: forward steps while it is in flight, undo steps after it failed.</summary>
    private bool TouchedBy(MigrationStep step, in MigrationPage page, out bool undo)
    {
        if (page.InFlight && _pages.TryGetValue(page.Old, out var spans) && spans.FailedAt is not null)
        {
            // Failed in an earlier step of this pass: only the undo steps touch it.
            var failed = page;
            failed.Result = -1;
            return step.Touches(failed, out undo);
        }
        return step.Touches(page, out undo);
    }

    /// <summary>
    /// Ends a span without making its parent current: the pass and page spans end in the middle of
    /// the driver's work, whose current activity must stay what it was.
    /// </summary>
    private static void StopKeepingCurrent(Activity? span)
    {
        if (span is null)
        {
            return;
        }
        var current = Activity.Current;
        span.Stop();
        Activity.Current = current == span ? span.Parent : current;
    }

    private sealed class PageSpans(Activity? span)
    {
        public Activity? Span { get; } = span;

        public Activity? Step { get; set; }

        public MigrationStep? FailedAt { get; set; }
    }
}
