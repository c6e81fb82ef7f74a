using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Scheduler;
using MigrationCluster.Runtime.Telemetry;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>
/// The sending side of every grain call: stamps the headers (deadline, calling grain, call
/// chain, trace context), wires cancellation, and routes the request.
/// </summary>
internal sealed class GrainCallDispatcher : IGrainCallRuntime
{
    private readonly CoarseDeadlineClock _deadlineClock;
    private readonly long _defaultTimeoutTimestampTicks;
    private readonly long _timestampFrequency;
    private IRequestRouter? _router;

    public GrainCallDispatcher(TimeProvider timeProvider, MessagingOptions options)
    {
        _deadlineClock = new CoarseDeadlineClock(timeProvider, options.ResponseTimeoutCheckPeriod);
        _timestampFrequency = timeProvider.TimestampFrequency;
        _defaultTimeoutTimestampTicks = ToTimestampTicks(options.ResponseTimeout);
        DefaultResponseTimeout = options.ResponseTimeout;
    }

    public IGrainFactory GrainFactory { get; internal set; } = null!;

    public TimeSpan DefaultResponseTimeout { get; }

    internal void SetRouter(IRequestRouter router) => _router = router;

    public void SendRequest(Request request, GrainReference? via)
    {
        var method = request.Method;
        if (!method.IsOneWay)
        {
            var timeout = method.ResponseTimeout is { } overridden ? ToTimestampTicks(overridden) : _defaultTimeoutTimestampTicks;
            // Deadlines are enforced once per check period, so "now" to within a period will do.
            request.DeadlineTimestamp = _deadlineClock.GetTimestamp() + timeout;
        }
        if (RuntimeContext.Current is { } caller)
        {
            request.Sender = caller.GrainId;
        }
        var chain = RequestContext.CallChainId;
        if (chain != Guid.Empty)
        {
            request.CallChainId = chain;
        }
        GrainCallTelemetry.OnCallStarting(request);
        if (request.CancellationToken.CanBeCanceled && !method.IsOneWay)
        {
            if (request.CancellationToken.IsCancellationRequested)
            {
                request.Fail(new OperationCanceledException(request.CancellationToken));
                return;
            }
            request.CancellationRegistration = request.CancellationToken.UnsafeRegister(
                static (state, token) => ((Request)state!).Fail(new OperationCanceledException(token)), request);
        }
        // Checked by type first: a direct call to the sealed single-silo router, whatever the
        // JIT's profile-guided devirtualization made of the interface call this time.
        if (_router is LocalRequestRouter local)
        {
            local.Route(request, via);
        }
        else
        {
            _router!.Route(request, via);
        }
    }

    /// <summary>The timeout a request was given, for the message of its <see cref="TimeoutException"/>.</summary>
    public TimeSpan TimeoutOf(Request request) => request.Method.ResponseTimeout ?? DefaultResponseTimeout;

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _timestampFrequency);
}
