using System.ComponentModel;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// Base class of the generated proxies: a grain id plus the runtime to send through. Each
/// interface method becomes a request object handed to <see cref="IGrainCallRuntime.SendRequest"/>.
/// </summary>
public abstract class GrainReference : IAddressable, IEquatable<GrainReference>
{
    protected GrainReference(GrainId grainId, IGrainCallRuntime runtime)
    {
        GrainId = grainId;
        Runtime = runtime;
    }

    public GrainId GrainId { get; }

    [EditorBrowsable(EditorBrowsableState.Never)]
    public IGrainCallRuntime Runtime { get; }

    /// <summary>
    /// The activation on this silo that the last call through this reference reached. Calls go
    /// straight to it while it accepts them, sparing the catalog lookup (in a cluster, once the
    /// directory has said the grain lives here); once it has deactivated they take the normal
    /// route and refresh this.
    /// </summary>
    internal Catalog.Activation? CachedActivation { get; set; }

    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Task<T> InvokeAsync<T>(Request<T> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Target = GrainId;
        var task = request.CreateCallerTask();
        // The silo's own dispatcher is by far the usual runtime: call it directly (see GrainCallDispatcher).
        if (Runtime is Messaging.GrainCallDispatcher dispatcher)
        {
            dispatcher.SendRequest(request, this);
        }
        else
        {
            Runtime.SendRequest(request, this);
        }
        return task;
    }

    [EditorBrowsable(EditorBrowsableState.Never)]
    protected Task InvokeOneWay(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Target = GrainId;
        Runtime.SendRequest(request, this);
        return Task.CompletedTask;
    }

    public bool Equals(GrainReference? other) => other is not null && GrainId == other.GrainId;

    public override bool Equals(object? obj) => obj is GrainReference other && Equals(other);

    public override int GetHashCode() => GrainId.GetHashCode();

    public override string ToString() => GrainId.ToString();
}
