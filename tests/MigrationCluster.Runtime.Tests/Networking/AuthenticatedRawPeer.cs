using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

/// <summary>
/// A peer that passes the real handshake and then writes raw bytes, to play a broken silo:
/// oversized frames, frames cut off in the middle.
/// </summary>
internal sealed class AuthenticatedRawPeer : IDisposable
{
    private AuthenticatedRawPeer(Socket socket, NetworkStream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    public static async Task<AuthenticatedRawPeer> ConnectAsync(IPEndPoint endpoint, NetworkingOptions options)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        var stream = new NetworkStream(socket, ownsSocket: false);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var output = new CoalescingFrameSender(stream, _ => { });
        await Handshake.RunAsync(input, output, NetworkTestSetup.Silo(50000), options, isInitiator: true, CancellationToken.None);
        output.Complete();
        await output.Completion; // our proof is on the wire; from here on the test writes raw bytes
        return new AuthenticatedRawPeer(socket, stream);
    }

    public void Dispose()
    {
        Stream.Dispose();
        Socket.Dispose();
    }
}
