using System.Collections.Concurrent;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// Carries a caller's cancellation across silos: the caller sends a Cancel message for the call's
/// correlation id, and the callee cancels the token its grain method was given.
/// </summary>
internal sealed class RemoteCancellation
{
    private static readonly ConcurrentDictionary<GrainMethodDescription, bool> TakesTokenCache = new();

    private readonly ConcurrentDictionary<(Connection Connection, long CorrelationId), CancellationTokenSource> _sources = new();

    /// <summary>True when the method has a <see cref="CancellationToken"/> parameter (only then is cancellation worth a message).</summary>
    public static bool TakesToken(GrainMethodDescription method) =>
        TakesTokenCache.GetOrAdd(method, static m => m.ParameterTypes.Contains(typeof(CancellationToken)));

    public static void SendCancel(Connection connection, long correlationId)
    {
        var writer = FrameWriter.Rent();
        MessageCodec.WriteControl(writer, MessageKind.Cancel, correlationId);
        try
        {
            connection.Send(writer.WrittenSpan);
        }
        catch (ConnectionClosedException)
        {
            // The callee is gone; so is the call.
        }
    }

    /// <summary>Gives a request from <paramref name="connection"/> a token its caller can cancel; returns what to run when the call is over.</summary>
    public Action? Attach(Request request, Connection connection, long correlationId)
    {
        if (!TakesToken(request.Method))
        {
            return null;
        }
        var source = new CancellationTokenSource();
        var key = (connection, correlationId);
        _sources[key] = source;
        request.CancellationToken = source.Token;
        return () =>
        {
            if (_sources.TryRemove(key, out var done))
            {
                done.Dispose();
            }
        };
    }

    public void Cancel(Connection connection, long correlationId)
    {
        if (_sources.TryGetValue((connection, correlationId), out var source))
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call finished as the cancel arrived.
            }
        }
    }
}
