using System.ComponentModel;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>What a generated grain reference needs from the runtime: somewhere to send requests.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGrainCallRuntime
{
    /// <summary>
    /// Stamps the request's headers (deadline, caller, trace context) and routes it to its target.
    /// <paramref name="via"/> is the reference the call was made through, if any: the runtime may
    /// remember on it where its grain lives.
    /// </summary>
    void SendRequest(Request request, GrainReference? via);

    IGrainFactory GrainFactory { get; }
}
