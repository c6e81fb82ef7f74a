using System.ComponentModel;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>What a generated grain reference needs from the runtime: somewhere to send requests.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGrainCallRuntime
{
    /// <summary>Stamps the request's headers (deadline, caller, trace context) and routes it to its target.</summary>
    void SendRequest(Request request);

    IGrainFactory GrainFactory { get; }
}
