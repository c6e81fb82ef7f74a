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
    // ---- Headers: everything here also crosses the wire (see Messaging/MessageCodec). ----

    /// <summary>The grain this request is addressed to.</summary>
    public GrainId Target { get; set; }

    /// <summary>The calling grain, or default when the caller is not a grain.</summary>
    public GrainId Sender { get; set; }

    /// <summary>Matches a response to its request on a connection between silos.</summary>
    public long CorrelationId { get; set; }

    /// <summary>When the caller stops waiting, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long DeadlineTimestamp { get; set; }

    /// <summary>
    /// Non-empty while the caller holds a call-chain reentrancy scope: the callee may call back
    /// into any activation that opened a scope with this id.
    /// </summary>
    public Guid CallChainId { get; set; }

    /// <summary>The W3C trace context of the caller (its client span, or its current span).</summary>
    public ActivityContext TraceContext { get; set; }

    /// <summary>The token of the method's <see cref="System.Threading.CancellationToken"/> parameter.</summary>
    public CancellationToken CancellationToken { get; set; }

    // ---- Bookkeeping of the runtime (never on the wire). ----

    internal long SentTimestamp { get; set; }

    internal CancellationTokenRegistration CancellationRegistration { get; set; }

    internal Activity? ClientActivity { get; set; }

    internal Activity? ServerActivity { get; set; }

    /// <summary>The exception the grain method threw, for the server span's status.</summary>
    internal Exception? ServerException { get; set; }

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
    /// synchronously; otherwise <paramref name="listener"/> hears of its completion later, on
    /// the activation's context.
    /// </summary>
    internal abstract bool Run(object grain, IRequestCompletionListener listener);

    internal abstract void CompleteFromWire(WireReader reader);

    internal abstract void AttachRemoteSink(IRemoteResponder responder);

    public override string ToString() => $"{Method.FullName} -> {Target}";
}
