using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Runtime.Serialization;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// Writes the outcome of a request that arrived over <paramref name="connection"/> back on it. It
/// keeps the caller's correlation id itself, since a forwarded request gets a new one for its next hop.
/// </summary>
internal sealed class RemoteResponder(Connection connection, long correlationId, ILogger logger, Action? onDone = null) : IRemoteResponder
{
    public void SendResult(Request request, Action<WireWriter, Request> writeResult)
    {
        var writer = FrameWriter.Rent();
        try
        {
            MessageCodec.WriteResponseHeader(writer, correlationId);
            writeResult(writer, request);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The result could not be serialized: the caller gets that as its exception.
            writer = FrameWriter.Rent();
            MessageCodec.WriteException(writer, correlationId, new InvalidOperationException($"The result of {request.Method.FullName} could not be serialized: {exception.Message}", exception));
        }
        Send(writer);
    }

    public void SendException(Request request, Exception exception)
    {
        var writer = FrameWriter.Rent();
        MessageCodec.WriteException(writer, correlationId, exception);
        Send(writer);
    }

    private void Send(WireWriter writer)
    {
        onDone?.Invoke();
        try
        {
            connection.Send(writer.WrittenSpan);
        }
        catch (Exception exception) when (exception is ConnectionClosedException or ArgumentException)
        {
            // The caller is gone (it fails its own call) or the frame is over the limit.
            logger.LogDebug("Response {CorrelationId} to {Peer} not sent: {Reason}", correlationId, connection.RemoteIdentity, exception.Message);
        }
    }
}
