using System.Net;
using System.Net.Sockets;
using System.Text;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

internal static class NetworkTestSetup
{
    /// <summary>A bound on waits so that a broken test fails instead of hanging; never a performance claim.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static readonly byte[] Key = Encoding.UTF8.GetBytes("a test cluster key, 32 bytes ok!");

    public static NetworkingOptions Options(string clusterId = "test-cluster", byte[]? key = null, int maxFrameSize = NetworkingOptions.DefaultMaxFrameSize) => new()
    {
        ClusterId = clusterId,
        ClusterKey = key ?? Key,
        MaxFrameSize = maxFrameSize,
    };

    public static PeerIdentity Silo(int port, int generation = 1) =>
        PeerIdentity.ForSilo(new SiloAddress(new IPEndPoint(IPAddress.Loopback, port), generation));

    /// <summary>A listener that echoes every frame, logging into <paramref name="logger"/>.</summary>
    public static ConnectionListener StartEchoListener(NetworkingOptions options, ListLogger logger, out PeerIdentity identity)
    {
        var listener = new ConnectionListener(options, logger);
        var endpoint = listener.Bind();
        identity = PeerIdentity.ForSilo(new SiloAddress(endpoint, 1));
        listener.Start(identity, _ => new EchoFrameHandler());
        return listener;
    }

    /// <summary>Checks that <paramref name="listener"/> still serves: a new connection gets its frame echoed.</summary>
    public static async Task AssertStillServesAsync(ConnectionListener listener, NetworkingOptions options)
    {
        var handler = new CollectingFrameHandler();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(40000), options, handler);
        connection.Send("still here"u8);
        await handler.WaitForFramesAsync(1);
        Assert.Equal("still here"u8.ToArray(), Assert.Single(handler.Frames));
    }

    /// <summary>True when the peer closed <paramref name="socket"/> (a read returns end of stream or a reset).</summary>
    public static async Task<bool> PeerClosesAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Patience);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
