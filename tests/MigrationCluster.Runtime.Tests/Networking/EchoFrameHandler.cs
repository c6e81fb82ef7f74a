using System.Buffers;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

/// <summary>The listener side of most tests: sends every frame straight back.</summary>
internal sealed class EchoFrameHandler : IFrameHandler
{
    public void OnFrame(Connection connection, ReadOnlySequence<byte> payload) => connection.Send(payload.ToArray());

    public void OnClosed(Connection connection, Exception? reason)
    {
    }
}
