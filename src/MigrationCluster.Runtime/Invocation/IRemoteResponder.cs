using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>Sends a request's outcome back to the silo it came from.</summary>
internal interface IRemoteResponder
{
    void SendResult(Request request, Action<WireWriter, Request> writeResult);

    void SendException(Request request, Exception exception);
}
