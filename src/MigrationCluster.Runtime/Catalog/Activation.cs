using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Persistence;
using MigrationCluster.Runtime.Scheduler;
using MigrationCluster.Runtime.Telemetry;
using MigrationCluster.Runtime.Timers;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>
/// One activation of a grain: the grain instance and its work queue. It runs one work item at a
/// time on the shared thread pool (no thread affinity). Requests are admitted to run by the
/// interleaving rules; once admitted, a request's continuations come back through the
/// activation's <see cref="ActivationSynchronizationContext"/> and run between other items.
/// </summary>
internal sealed class Activation : IThreadPoolWorkItem
{
    // Taken for admissions, completions and dequeues: about once per call on the fast paths, and
    // held only for a few queue operations. A spin lock without owner tracking costs one atomic
    // instruction to take and a plain release store to leave (Lock and Monitor take two atomics
    // and a thread-local read); atomics are the dearest part of an uncontended call. It is not
    // reentrant: nothing under it calls out to code that could come back (Debug builds track the
    // owner, so a recursive entry throws there instead of spinning forever).
#if DEBUG
    private SpinLock _lock = new(enableThreadOwnerTracking: true);
#else
    private SpinLock _lock = new(enableThreadOwnerTracking: false);
#endif
    private readonly Queue<WorkItem> _ready = new();
    private readonly Queue<Request> _waiting = new();
    // Entries are structs wrapping the request: storing a reference into a Request[] costs a
    // covariance type check per store (the element is always a derived, generated class).
    private readonly List<RunningRequest> _running = new(2);
    private readonly ActivationSynchronizationContext _syncContext;
    private readonly ActivationServices _services;
    private Dictionary<Guid, int>? _openCallChains;
    private List<GrainTimer>? _timers;
    private bool _scheduled;
    private bool _deactivateWhenIdle;
    private DeactivationReason _deactivationReason;
    private long _lastActiveTimestamp;
    // A keep-alive request ran since _lastActiveTimestamp was taken; the clock is read only when
    // the activation falls idle, not on every admission and completion (see NoteActivity_NoLock).
    private bool _activeSinceTimestamp;
    // The managed thread running the work loop between two dequeues, 0 when none.
    private int _workLoopThreadId;
    // A request that completed on the work loop's thread, not yet off the running list (see
    // OnRequestCompleted); only the loop's thread touches it.
    private Request? _completedOnLoop;
    // A request admitted on the work loop's own thread while the queue was empty: typically a
    // sequential caller calling again from its inline continuation. The loop runs it next
    // without a queue round trip and its lock; only the loop's thread touches it.
    private Request? _admittedInline;

    public Activation(GrainId grainId, GrainClassInfo classInfo, ActivationServices services)
    {
        GrainId = grainId;
        ClassInfo = classInfo;
        _services = services;
        _syncContext = new ActivationSynchronizationContext(this);
        _lastActiveTimestamp = services.TimeProvider.GetTimestamp();
        State = ActivationState.Activating;
        _ready.Enqueue(WorkItem.Activate);
        _scheduled = true;
    }

    public GrainId GrainId { get; }

    private SpinLockScope EnterLock() => new(ref _lock);

    /// <summary>Installed by the work loop for everything it runs.</summary>
    public SynchronizationContext LoopContext => _syncContext;

    public GrainClassInfo ClassInfo { get; }

    public ActivationState State { get; private set; }

    public object? Instance { get; private set; }

    internal ActivationServices Services => _services;

    /// <summary>The catalog this activation belongs to.</summary>
    internal Catalog Catalog => _services.Catalog;

    /// <summary>Starts the activation: its first work item builds the grain and activates it.</summary>
    public void Start() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    // ------------------------------------------------------------------ enqueueing

    /// <summary>
    /// Hands a request to this activation. False when the activation is gone, in which case the
    /// catalog routes the request to a fresh one.
    /// </summary>
    public bool TryEnqueue(Request request)
    {
        bool schedule;
        using (EnterLock())
        {
            // Typically a caller calling again from its inline continuation, on this activation's work loop.
            var onWorkLoopThread = IsOnWorkLoopThread();
            if (onWorkLoopThread)
            {
                SettleCompletedOnLoop_NoLock();
            }
            if (State == ActivationState.Invalid)
            {
                return false;
            }
            if (State != ActivationState.Deactivating && _waiting.Count == 0 && CanAdmit(request))
            {
                Admit(request, onWorkLoopThread);
            }
            else if (State != ActivationState.Deactivating && MayBypassQueue(request))
            {
                // Always-interleave and call-chain callbacks never wait behind blocked requests:
                // waiting would turn a permitted callback into a deadlock.
                Admit(request, onWorkLoopThread);
            }
            else
            {
                _waiting.Enqueue(request);
            }
            schedule = ScheduleIfNeeded();
        }
        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        return true;
    }

    public void EnqueueContinuation(SendOrPostCallback callback, object? state)
    {
        bool schedule;
        using (EnterLock())
        {
            _ready.Enqueue(new WorkItem(WorkItemKind.Continuation, callback, state));
            schedule = ScheduleIfNeeded();
        }
        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }

    private bool ScheduleIfNeeded()
    {
        if (_scheduled || _ready.Count == 0)
        {
            return false;
        }
        _scheduled = true;
        return true;
    }

    // ------------------------------------------------------------------ interleaving rules

    private bool CanAdmit(Request request)
    {
        if (State == ActivationState.Activating)
        {
            return false;
        }
        if (_running.Count == 0)
        {
            return true;
        }
        if (ClassInfo.IsReentrant || MayBypassQueue(request))
        {
            return true;
        }
        if (request.Method.IsReadOnly)
        {
            foreach (var running in _running)
            {
                if (!running.Request.Method.IsReadOnly)
                {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private bool MayBypassQueue(Request request)
    {
        if (State == ActivationState.Activating)
        {
            return false;
        }
        if (request.Method.IsAlwaysInterleave)
        {
            return true;
        }
        return request.CallChainId != Guid.Empty
            && _openCallChains is not null
            && _openCallChains.ContainsKey(request.CallChainId);
    }

    private void Admit(Request request, bool onWorkLoopThread)
    {
        _running.Add(new RunningRequest(request));
        if (request is not TimerTickRequest { KeepAlive: false })
        {
            _activeSinceTimestamp = true;
        }
        if (onWorkLoopThread && _ready.Count == 0 && _admittedInline is null)
        {
            _admittedInline = request;
            return;
        }
        _ready.Enqueue(new WorkItem(WorkItemKind.Request, request, null));
    }

    private void AdmitWaiting()
    {
        while (_waiting.Count > 0)
        {
            var next = _waiting.Peek();
            if (next.IsCompleted && next is not TimerTickRequest)
            {
                // Timed out or cancelled while it waited: the caller has its answer already.
                _waiting.Dequeue();
                continue;
            }
            if (!CanAdmit(next))
            {
                return;
            }
            Admit(_waiting.Dequeue(), IsOnWorkLoopThread());
        }
    }

    /// <summary>Called by <see cref="RequestContext.AllowCallChainReentrancy"/> inside a turn of this activation.</summary>
    internal void OpenCallChain(Guid callChainId)
    {
        using (EnterLock())
        {
            _openCallChains ??= [];
            _openCallChains[callChainId] = _openCallChains.GetValueOrDefault(callChainId) + 1;
        }
    }

    internal void CloseCallChain(Guid callChainId)
    {
        using (EnterLock())
        {
            if (_openCallChains is not null && _openCallChains.TryGetValue(callChainId, out var count))
            {
                if (count <= 1)
                {
                    _openCallChains.Remove(callChainId);
                }
                else
                {
                    _openCallChains[callChainId] = count - 1;
                }
            }
        }
    }

    // ------------------------------------------------------------------ the work loop

    void IThreadPoolWorkItem.Execute()
    {
        var previousContext = SynchronizationContext.Current;
        // Installing the context is what makes this activation RuntimeContext.Current.
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try
        {
            var budget = _services.Scheduling.MaxWorkItemsPerTurnBatch;
            var threadId = Environment.CurrentManagedThreadId;
            while (true)
            {
                if (budget <= 0 && ThreadPool.PendingWorkItemCount == 0)
                {
                    // The budget is there to yield to other work; with none waiting, yielding would
                    // only move this activation to another thread (and wake one to take it).
                    budget = _services.Scheduling.MaxWorkItemsPerTurnBatch;
                }
                if (_admittedInline is { } admitted && budget > 0)
                {
                    // Admitted by this thread while the queue was empty: next in line, no lock needed
                    // (unless a completion is still to be settled, which is rare here).
                    _admittedInline = null;
                    if (_completedOnLoop is not null)
                    {
                        using (EnterLock())
                        {
                            SettleCompletedOnLoop_NoLock();
                        }
                    }
                    budget--;
                    RunRequest(admitted);
                    continue;
                }
                WorkItem item;
                using (EnterLock())
                {
                    SettleCompletedOnLoop_NoLock();
                    if (_admittedInline is { } deferred)
                    {
                        // Out of budget: the request waits in the queue like any other item.
                        _admittedInline = null;
                        _ready.Enqueue(new WorkItem(WorkItemKind.Request, deferred, null));
                    }
                    if (!_ready.TryDequeue(out item))
                    {
                        _scheduled = false;
                        _workLoopThreadId = 0;
                        NoteActivity_NoLock();
                        return;
                    }
                    if (--budget < 0)
                    {
                        // Yield the thread to other activations; keep our place in the pool's queue.
                        _ready.Enqueue(item);
                        _workLoopThreadId = 0;
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                        return;
                    }
                    _workLoopThreadId = threadId;
                }
                RunWorkItem(item);
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }
    }

    private void RunWorkItem(in WorkItem item)
    {
        switch (item.Kind)
        {
            case WorkItemKind.Request:
                RunRequest((Request)item.Target!);
                break;
            case WorkItemKind.Continuation:
                try
                {
                    ((SendOrPostCallback)item.Target!)(item.State);
                }
                catch (Exception exception)
                {
                    _services.LogUnhandled(this, exception);
                }
                break;
            case WorkItemKind.Activate:
                _ = ActivateAsync();
                break;
            case WorkItemKind.Deactivate:
                _ = DeactivateAsync();
                break;
        }
    }

    private void RunRequest(Request request)
    {
        if (request.IsCompleted && request is not TimerTickRequest)
        {
            // The caller gave up (timeout or cancellation) before the request started.
            OnRequestCompleted(request);
            return;
        }
        // A plain call (no optional headers) has no token and no call chain to look at.
        var optional = request.HasOptionalHeaders;
        if (optional && request.CancellationToken.IsCancellationRequested)
        {
            request.Fail(new OperationCanceledException(request.CancellationToken));
            OnRequestCompleted(request);
            return;
        }

        var scope = GrainCallTelemetry.OnRequestStarting(request);
        var callChain = optional && request.CallChainId != Guid.Empty ? RequestContext.EnterCallChain(request.CallChainId) : default;
        bool finished;
        try
        {
            finished = request.Run(Instance!, this);
        }
        finally
        {
            callChain.Dispose();
            scope.Dispose();
        }
        if (finished)
        {
            OnRequestCompleted(request);
        }
    }

    /// <summary>
    /// A request's turn has ended. Always called on the work loop's thread: from the turn itself, or
    /// from its continuation, which the activation's synchronization context brings back to the loop.
    /// </summary>
    public void OnRequestCompleted(Request request)
    {
        System.Diagnostics.Debug.Assert(IsOnWorkLoopThread(), "A request completes on its activation's work loop.");
        GrainCallTelemetry.OnRequestFinished(request);
        if (request.HasOptionalHeaders && request.ServerException is { } unobserved && (request is TimerTickRequest || request.Method.IsOneWay))
        {
            _services.LogUnobserved(this, request is TimerTickRequest ? "A timer tick" : $"One-way call {request.Method.FullName}", unobserved);
        }
        if (request is TimerTickRequest tick)
        {
            using (EnterLock())
            {
                EndRequest_NoLock(request);
            }
            tick.Timer.OnTickCompleted();
            return;
        }
        if (_completedOnLoop is null)
        {
            // Settled under the next lock this thread takes: the caller's follow-up call
            // (TryEnqueue) or the loop's next dequeue, instead of a lock of its own.
            _completedOnLoop = request;
            return;
        }
        using (EnterLock())
        {
            SettleCompletedOnLoop_NoLock();
            EndRequest_NoLock(request);
        }
    }

    private void EndRequest_NoLock(Request request)
    {
        // Usually the only one running (a non-reentrant grain): no search, no equality calls.
        if (_running.Count == 1 && ReferenceEquals(_running[0].Request, request))
        {
            _running.RemoveAt(0);
        }
        else
        {
            for (var i = 0; i < _running.Count; i++)
            {
                if (ReferenceEquals(_running[i].Request, request))
                {
                    _running.RemoveAt(i);
                    break;
                }
            }
        }
        if (_deactivateWhenIdle && _running.Count == 0 && State == ActivationState.Valid)
        {
            BeginDeactivation_NoLock();
        }
        else
        {
            AdmitWaiting();
        }
    }

    /// <summary>Ends the request that completed on the work loop's thread, if any. Only that thread may call this.</summary>
    private void SettleCompletedOnLoop_NoLock()
    {
        if (_completedOnLoop is { } completed)
        {
            _completedOnLoop = null;
            EndRequest_NoLock(completed);
        }
    }

    /// <summary>For locks that any thread may take: settles a loop completion if this is the loop's thread.</summary>
    private void SettleIfOnWorkLoopThread_NoLock()
    {
        if (_completedOnLoop is not null && IsOnWorkLoopThread())
        {
            SettleCompletedOnLoop_NoLock();
        }
    }

    private bool IsOnWorkLoopThread() => _workLoopThreadId != 0 && _workLoopThreadId == Environment.CurrentManagedThreadId;

    // ------------------------------------------------------------------ lifecycle

    private async Task ActivateAsync()
    {
        try
        {
            var (instance, states) = ClassInfo.CreateInstance(_services.ServiceProvider, GrainId);
            Instance = instance;
            if (instance is Grain grain)
            {
                grain.Activation = this;
            }
            foreach (var state in states)
            {
                await state.ReadStateAsync(CancellationToken.None);
            }
            if (instance is Grain activatable)
            {
                await activatable.OnActivateAsync(CancellationToken.None);
            }
        }
        catch (Exception exception)
        {
            FailActivation(exception);
            return;
        }

        // Outside the lock: metric listeners run inside Add, and the lock is a spin lock.
        _services.Instruments.OnActivated(ClassInfo.GrainType);
        using (EnterLock())
        {
            State = ActivationState.Valid;
            if (_deactivateWhenIdle && _running.Count == 0)
            {
                BeginDeactivation_NoLock();
            }
            else
            {
                AdmitWaiting();
            }
        }
    }

    private void FailActivation(Exception exception)
    {
        _services.LogActivationFailed(this, exception);
        Request[] pending;
        using (EnterLock())
        {
            State = ActivationState.Invalid;
            pending = [.. _waiting];
            _waiting.Clear();
        }
        _services.Catalog.Remove(this);
        var failure = new ActivationFailedException(GrainId, exception);
        foreach (var request in pending)
        {
            request.Fail(failure);
        }
    }

    /// <summary>Asks for deactivation as soon as no request is running (Orleans' <c>DeactivateOnIdle</c>).</summary>
    public void DeactivateOnIdle(DeactivationReason reason)
    {
        using (EnterLock())
        {
            SettleIfOnWorkLoopThread_NoLock();
            if (State is ActivationState.Deactivating or ActivationState.Invalid)
            {
                return;
            }
            _deactivateWhenIdle = true;
            _deactivationReason = reason;
            // Called from inside a request: deactivation starts when that request completes.
            if (State == ActivationState.Valid && _running.Count == 0)
            {
                BeginDeactivation_NoLock();
            }
        }
    }

    /// <summary>The collector's check: idle (nothing queued or running) since before <paramref name="idleSinceTimestamp"/>.</summary>
    public bool TryDeactivateIfIdle(long idleSinceTimestamp, DeactivationReason reason)
    {
        using (EnterLock())
        {
            SettleIfOnWorkLoopThread_NoLock();
            if (State != ActivationState.Valid || _running.Count > 0 || _waiting.Count > 0 || _ready.Count > 0)
            {
                return false;
            }
            NoteActivity_NoLock();
            if (_lastActiveTimestamp > idleSinceTimestamp)
            {
                return false;
            }
            _deactivationReason = reason;
            BeginDeactivation_NoLock();
            return true;
        }
    }

    public long LastActiveTimestamp
    {
        get
        {
            using (EnterLock())
            {
                SettleIfOnWorkLoopThread_NoLock();
                // While busy the activation is active now; the stored time is from its last idle moment.
                return _activeSinceTimestamp ? _services.TimeProvider.GetTimestamp() : _lastActiveTimestamp;
            }
        }
    }

    /// <summary>
    /// Takes the idle clock when the activation has fallen idle after keep-alive work. Busy
    /// activations are never collected (<see cref="TryDeactivateIfIdle"/> checks the queues first),
    /// so a timestamp per request would only ever be overwritten: reading the clock once per idle
    /// period gives the collector the same answer at a fraction of the cost. The work loop takes it
    /// when it runs out of work rather than when the last request completes: a caller that calls
    /// again from its inline continuation (a sequential caller) keeps the activation busy, and the
    /// stamp is late by no more than that continuation, never early.
    /// </summary>
    private void NoteActivity_NoLock()
    {
        if (_activeSinceTimestamp && _running.Count == 0)
        {
            _lastActiveTimestamp = _services.TimeProvider.GetTimestamp();
            _activeSinceTimestamp = false;
        }
    }

    private void BeginDeactivation_NoLock()
    {
        State = ActivationState.Deactivating;
        _ready.Enqueue(WorkItem.Deactivate);
        if (!_scheduled)
        {
            _scheduled = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private async Task DeactivateAsync()
    {
        StopTimers();
        if (Instance is Grain grain)
        {
            using var timeout = new CancellationTokenSource(_services.Collection.DeactivationTimeout, _services.TimeProvider);
            try
            {
                await grain.OnDeactivateAsync(_deactivationReason, timeout.Token);
            }
            catch (Exception exception)
            {
                _services.LogUnhandled(this, exception);
            }
        }

        Request[] held;
        using (EnterLock())
        {
            State = ActivationState.Invalid;
            held = [.. _waiting];
            _waiting.Clear();
        }
        _services.Catalog.Remove(this);
        _services.Instruments.OnDeactivated(ClassInfo.GrainType);
        // Requests that arrived while we deactivated go to the grain's next activation.
        foreach (var request in held)
        {
            if (!request.IsCompleted || request is TimerTickRequest)
            {
                _services.Catalog.Dispatch(request);
            }
        }
    }

    // ------------------------------------------------------------------ timers

    public GrainTimer RegisterTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options)
    {
        var timer = new GrainTimer(this, callback, state, options, _services.TimeProvider);
        using (EnterLock())
        {
            _timers ??= [];
            _timers.Add(timer);
        }
        timer.Start();
        return timer;
    }

    internal void OnTimerDisposed(GrainTimer timer)
    {
        using (EnterLock())
        {
            _timers?.Remove(timer);
        }
    }

    private void StopTimers()
    {
        GrainTimer[] timers;
        using (EnterLock())
        {
            timers = _timers is null ? [] : [.. _timers];
            _timers = null;
        }
        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    // ------------------------------------------------------------------ timeouts

    /// <summary>Fails every queued or running request whose caller's deadline has passed.</summary>
    public void ExpireRequests(long nowTimestamp, List<Request> expired)
    {
        using (EnterLock())
        {
            foreach (var request in _waiting)
            {
                if (request.DeadlineTimestamp != 0 && request.DeadlineTimestamp < nowTimestamp && !request.IsCompleted)
                {
                    expired.Add(request);
                }
            }
            foreach (var running in _running)
            {
                var request = running.Request;
                if (request.DeadlineTimestamp != 0 && request.DeadlineTimestamp < nowTimestamp && !request.IsCompleted)
                {
                    expired.Add(request);
                }
            }
        }
    }

    /// <summary>Counts for diagnostics and tests.</summary>
    public (int Running, int Waiting) GetLoad()
    {
        using (EnterLock())
        {
            SettleIfOnWorkLoopThread_NoLock();
            return (_running.Count, _waiting.Count);
        }
    }

    public override string ToString() => $"[Activation {GrainId} {State}]";

    private enum WorkItemKind : byte
    {
        Request,
        Continuation,
        Activate,
        Deactivate,
    }

    private readonly record struct RunningRequest(Request Request);

    private readonly struct WorkItem(WorkItemKind kind, object? target, object? state)
    {
        public static readonly WorkItem Activate = new(WorkItemKind.Activate, null, null);
        public static readonly WorkItem Deactivate = new(WorkItemKind.Deactivate, null, null);

        public WorkItemKind Kind { get; } = kind;

        public object? Target { get; } = target;

        public object? State { get; } = state;
    }
}
