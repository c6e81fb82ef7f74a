using System.Diagnostics;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// One call to a grain method: the message headers that travel with it and its arguments.
/// The source generator derives one sealed class per interface method (holding the arguments
/// as fields, with no reflection); the runtime fills in the headers and schedules it.
/// </summary>
public abstract class Request
{
    // Headers every call fills in are plain fields; the rarely used ones (correlation with a
    // remote caller, call chain, trace context, cancellation, spans, timings) live in a side object
    // allocated on first use, so a plain local call carries a small request.
    private OptionalHeaders? _optional;

    // ---- Headers: everything here also crosses the wire (see Messaging/MessageCodec). ----

    /// <summary>The grain this request is addressed to.</summary>
    public GrainId Target { get; set; }

    /// <summary>The calling grain, or default when the caller is not a grain.</summary>
    public GrainId Sender { get; set; }

    /// <summary>Matches a response to its request on a connection between silos.</summary>
    /// <remarks>
    /// A plain field, unlike the other rare headers: every remote call sets it on both sides,
    /// and eight bytes here are cheaper than a side object per remote call.
    /// </remarks>
    public long CorrelationId { get; set; }

    /// <summary>When the caller stops waiting, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long DeadlineTimestamp { get; set; }

    /// <summary>
    /// Non-empty while the caller holds a call-chain reentrancy scope: the callee may call back
    /// into any activation that opened a scope with this id.
    /// </summary>
    public Guid CallChainId
    {
        get => _optional?.CallChainId ?? Guid.Empty;
        set
        {
            if (value != Guid.Empty || _optional is not null)
            {
                Optional.CallChainId = value;
            }
        }
    }

    /// <summary>The W3C trace context of the caller (its client span, or its current span).</summary>
    public ActivityContext TraceContext
    {
        get => _optional?.TraceContext ?? default;
        set
        {
            if (value != default || _optional is not null)
            {
                Optional.TraceContext = value;
            }
        }
    }

    /// <summary>The token of the method's <see cref="System.Threading.CancellationToken"/> parameter.</summary>
    public CancellationToken CancellationToken
    {
        get => _optional?.CancellationToken ?? default;
        set
        {
            if (value != default || _optional is not null)
            {
                Optional.CancellationToken = value;
            }
        }
    }

    // ---- Bookkeeping of the runtime (never on the wire). ----

    /// <summary>False for a plain call: no optional header or bookkeeping was ever set.</summary>
    internal bool HasOptionalHeaders => _optional is not null;

    internal long SentTimestamp
    {
        get => _optional?.SentTimestamp ?? 0;
        set
        {
            if (value != 0 || _optional is not null)
            {
                Optional.SentTimestamp = value;
            }
        }
    }

    internal CancellationTokenRegistration CancellationRegistration
    {
        get => _optional?.CancellationRegistration ?? default;
        set
        {
            if (value != default || _optional is not null)
            {
                Optional.CancellationRegistration = value;
            }
        }
    }

    internal Activity? ClientActivity
    {
        get => _optional?.ClientActivity;
        set
        {
            if (value is not null || _optional is not null)
            {
                Optional.ClientActivity = value;
            }
        }
    }

    internal Activity? ServerActivity
    {
        get => _optional?.ServerActivity;
        set
        {
            if (value is not null || _optional is not null)
            {
                Optional.ServerActivity = value;
            }
        }
    }

    /// <summary>The exception the grain method threw, for the server span's status.</summary>
    internal Exception? ServerException
    {
        get => _optional?.ServerException;
        set
        {
            if (value is not null || _optional is not null)
            {
                Optional.ServerException = value;
            }
        }
    }

    // The caller's side and the callee's side may each be first to need it: publish it once.
    private OptionalHeaders Optional =>
        _optional ?? Interlocked.CompareExchange(ref _optional, new OptionalHeaders(), null) ?? _optional;

    // ---- What the generated subclass provides. ----

    /// <summary>The interface method this request calls.</summary>
    public abstract GrainMethodDescription Method { get; }

    /// <summary>Replaces every mutable argument with a copy, so the caller's later changes are not seen.</summary>
    public abstract void DeepCopyArguments();

    public abstract void SerializeArguments(WireWriter writer);

    public abstract void DeserializeArguments(WireReader reader);

    // ---- What Request<T> provides. ----

    /// <summary>True once the caller has its outcome (result, exception, timeout or cancellation).</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>Delivers an exception to the caller instead of a result.</summary>
    public abstract void Fail(Exception exception);

    /// <summary>
    /// Invokes the method on <paramref name="grain"/>. Returns true if the request finished
    /// synchronously; otherwise <paramref name="activation"/> hears of its completion later, on
    /// the activation's context.
    /// </summary>
    internal abstract bool Run(object grain, Catalog.Activation activation);

    internal abstract void CompleteFromWire(WireReader reader);

    internal abstract void AttachRemoteSink(IRemoteResponder responder);

    public override string ToString() => $"{Method.FullName} -> {Target}";

    /// <summary>The headers and bookkeeping that most calls never set.</summary>
    private sealed class OptionalHeaders
    {
        public Guid CallChainId;
        public ActivityContext TraceContext;
        public CancellationToken CancellationToken;
        public long SentTimestamp;
        public CancellationTokenRegistration CancellationRegistration;
        public Activity? ClientActivity;
        public Activity? ServerActivity;
        public Exception? ServerException;
    }
}
