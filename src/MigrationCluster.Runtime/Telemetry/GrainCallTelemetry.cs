using System.Diagnostics;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Telemetry;

/// <summary>
/// Spans and metrics of grain calls: a client span at the caller and a server span at the
/// callee, both named <c>{Interface}/{Method}</c>. The caller's trace context is put in the
/// request whether or not anyone listens to the runtime's own source, so an application's
/// trace never breaks at a grain call.
/// </summary>
internal static class GrainCallTelemetry
{
    public static readonly ActivitySource Source = new(TelemetryNames.RuntimeActivitySource);

    /// <summary>
    /// The context that outgoing calls and application spans should use as parent: the current
    /// activity, or, if that is only the runtime's propagation placeholder, the caller it stands for.
    /// </summary>
    public static ActivityContext CurrentParentContext()
    {
        var current = Activity.Current;
        if (current is null)
        {
            return default;
        }
        return IsPropagationPlaceholder(current)
            ? new ActivityContext(current.TraceId, current.ParentSpanId, current.ActivityTraceFlags, current.TraceStateString, isRemote: true)
            : current.Context;
    }

    public static bool IsPropagationPlaceholder(Activity activity) =>
        ReferenceEquals(activity.OperationName, TelemetryNames.PropagationActivity) || activity.OperationName == TelemetryNames.PropagationActivity;

    // ---------------------------------------------------------------- caller side

    /// <summary>Small enough to inline into every call: a call with no span, no trace and no metrics to start costs three reads.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void OnCallStarting(Request request)
    {
        var current = Activity.Current;
        if (current is not null || Source.HasListeners() || RuntimeInstruments.CallMetricsEnabled)
        {
            OnTracedOrMeasuredCallStarting(request, current);
        }
    }

    private static void OnTracedOrMeasuredCallStarting(Request request, Activity? current)
    {
        if (RuntimeInstruments.CallMetricsEnabled)
        {
            request.SentTimestamp = Stopwatch.GetTimestamp();
        }
        if (Source.HasListeners())
        {
            var parent = current is null ? default : CurrentParentContext();
            var activity = Source.StartActivity(request.Method.FullName, ActivityKind.Client, parent);
            if (activity is not null)
            {
                if (activity.IsAllDataRequested)
                {
                    AddCallTags(activity, request);
                }
                request.ClientActivity = activity;
                request.TraceContext = activity.Context;
                // The span lives until the response; the caller's own current span is unchanged.
                Activity.Current = current;
                return;
            }
        }
        if (current is not null)
        {
            request.TraceContext = CurrentParentContext();
        }
    }

    public static void OnCallCompleted(Request request, Exception? exception)
    {
        if (exception is TimeoutException)
        {
            RuntimeInstruments.RecordTimeout(request.Method.FullName);
        }
        if (!request.HasOptionalHeaders)
        {
            // A plain call: no cancellation registration, no timing, no client span.
            return;
        }
        request.CancellationRegistration.Dispose();
        if (request.SentTimestamp != 0)
        {
            var elapsed = Stopwatch.GetElapsedTime(request.SentTimestamp);
            RuntimeInstruments.RecordCall(request.Method.FullName, elapsed.TotalMilliseconds, exception is null ? "ok" : exception.GetType().Name);
        }
        if (request.ClientActivity is { } activity)
        {
            request.ClientActivity = null;
            if (exception is not null)
            {
                MarkError(activity, exception);
            }
            GrainActivity.StopKeepingCurrent(activity);
        }
    }

    // ---------------------------------------------------------------- callee side

    /// <summary>Starts the server span (or the propagation placeholder) for the request's turn.</summary>
    public static CurrentActivityScope OnRequestStarting(Request request)
    {
        var previous = Activity.Current;
        // A plain call has no optional headers, so no trace context: skip building an empty one.
        var context = request.HasOptionalHeaders ? request.TraceContext : default;
        if (Source.HasListeners())
        {
            var activity = Source.StartActivity(request.Method.FullName, ActivityKind.Server, context);
            if (activity is not null)
            {
                if (activity.IsAllDataRequested)
                {
                    AddCallTags(activity, request);
                }
                request.ServerActivity = activity;
                return new CurrentActivityScope(previous, true);
            }
        }
        if (context.TraceId != default)
        {
            var placeholder = new Activity(TelemetryNames.PropagationActivity);
            placeholder.SetParentId(context.TraceId, context.SpanId, context.TraceFlags);
            placeholder.TraceStateString = context.TraceState;
            placeholder.Start();
            request.ServerActivity = placeholder;
            return new CurrentActivityScope(previous, true);
        }
        if (previous is not null)
        {
            Activity.Current = null;
            return new CurrentActivityScope(previous, true);
        }
        return default;
    }

    public static void OnRequestFinished(Request request)
    {
        if (request.ServerActivity is not { } activity)
        {
            return;
        }
        request.ServerActivity = null;
        if (request.ServerException is { } exception && !IsPropagationPlaceholder(activity))
        {
            MarkError(activity, exception);
        }
        GrainActivity.StopKeepingCurrent(activity);
    }

    // ---------------------------------------------------------------- helpers

    private static void AddCallTags(Activity activity, Request request)
    {
        activity.SetTag(TelemetryNames.Tags.RpcSystem, TelemetryNames.Tags.RpcSystemValue);
        activity.SetTag(TelemetryNames.Tags.RpcService, request.Method.InterfaceName);
        activity.SetTag(TelemetryNames.Tags.RpcMethod, request.Method.MethodName);
        activity.SetTag(TelemetryNames.Tags.GrainId, request.Target.ToString());
        if (!request.Sender.IsDefault)
        {
            activity.SetTag(TelemetryNames.Tags.CallerGrainId, request.Sender.ToString());
        }
    }

    private static void MarkError(Activity activity, Exception exception)
    {
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }

    internal readonly struct CurrentActivityScope(Activity? previous, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active)
            {
                Activity.Current = previous;
            }
        }
    }
}
