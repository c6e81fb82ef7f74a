using System.Buffers;

namespace MigrationCluster.Runtime.Networking;

/// <summary>What a <see cref="Connection"/> calls with what it receives. Both calls come from the connection's read loop.</summary>
public interface IFrameHandler
{
    /// <summary>
    /// One frame's payload. The memory is valid only during the call (the read loop reuses it):
    /// copy what you keep. Keep it short: the next frame waits for this call to return.
    /// </summary>
    void OnFrame(Connection connection, ReadOnlySequence<byte> payload);

    /// <summary>
    /// The connection is closed, once: <paramref name="reason"/> is null when it was closed
    /// locally, otherwise why (peer closed, protocol violation, socket error).
    /// </summary>
    void OnClosed(Connection connection, Exception? reason);
}
