using System.Buffers.Binary;
using System.Net;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Runtime.Serialization;
using MigrationCluster.Runtime.Testing;
using MigrationCluster.Runtime.Tests.Networking;
using static MigrationCluster.Runtime.Tests.Cluster.ClusterTestSetup;

namespace MigrationCluster.Runtime.Tests.Cluster;

/// <summary>Security and robustness of a silo's listener, seen through a running cluster.</summary>
[Collection(ClusterTestCollection.Name)]
public sealed class ClusterTransportTests
{
    [Fact]
    public async Task A_client_or_peer_with_the_wrong_key_is_refused_and_the_cluster_keeps_serving()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var wrong = cluster.CreateNetworkingOptions();
        wrong.ClusterKey = "another key, also 32 bytes long!"u8.ToArray();
        var clientOptions = new ClusterClientOptions { Networking = wrong, MembershipTable = cluster.CreateMembershipTable() };
        clientOptions.GrainAssemblies.Add(typeof(ClusterTransportTests).Assembly);
        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => ClusterClient.ConnectAsync(clientOptions));
        Assert.IsType<ConnectionRefusedException>(error.InnerException?.InnerException ?? error.InnerException);

        var wrongCluster = cluster.CreateNetworkingOptions();
        wrongCluster.ClusterId = "someone-else";
        await Assert.ThrowsAsync<ConnectionRefusedException>(() =>
            Connection.ConnectAsync(cluster.Primary.SiloAddress!.Endpoint, PeerIdentity.NewClient(), wrongCluster, new CollectingFrameHandler()));

        Assert.Equal(TagOf(cluster.Primary), await cluster.Primary.GrainFactory.GetGrain<IPreferLocalGrain>(1).WhereAmI());
        Assert.NotEmpty(await cluster.Client.GetGrain<ILocatedGrain>(5).WhereAmI());
    }

    [Fact]
    public async Task Garbage_message_closes_only_that_connection()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var handler = new CollectingFrameHandler();
        await using var connection = await Connection.ConnectAsync(cluster.Primary.SiloAddress!.Endpoint, PeerIdentity.NewClient(), cluster.CreateNetworkingOptions(), handler);
        connection.Send([0xEE, 0x01, 0x02, 0x03, 0x04]);
        await connection.Completion.WaitAsync(Patience);
        Assert.False(connection.IsConnected);
        Assert.NotEmpty(await cluster.Client.GetGrain<ILocatedGrain>(6).WhereAmI());
    }

    [Fact]
    public async Task Request_with_an_unreadable_body_gets_an_error_answer_on_a_connection_that_stays_open()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var handler = new CollectingFrameHandler();
        await using var connection = await Connection.ConnectAsync(cluster.Primary.SiloAddress!.Endpoint, PeerIdentity.NewClient(), cluster.CreateNetworkingOptions(), handler);
        using var writer = new WireWriter();
        writer.WriteByte(MessageCodec.Version);
        writer.WriteByte((byte)MessageKind.Request);
        writer.WriteInt64(4242);
        writer.WriteInt32(-77); // a grain type string of impossible length
        connection.Send(writer.WrittenSpan);
        await handler.WaitForFramesAsync(1);
        var reader = new WireReader(handler.Frames.ElementAt(0));
        var (kind, correlationId) = MessageCodec.ReadHeader(reader);
        Assert.Equal(MessageKind.ExceptionResponse, kind);
        Assert.Equal(4242, correlationId);
        Assert.IsType<WireFormatException>(MessageCodec.ReadException(reader));

        // Still open: a probe on the same connection is answered.
        using var ping = new WireWriter();
        MessageCodec.WriteControl(ping, MessageKind.Ping, 7);
        connection.Send(ping.WrittenSpan);
        await handler.WaitForFramesAsync(2);
        Assert.Equal(MessageKind.Pong, MessageCodec.ReadHeader(new WireReader(handler.Frames.ElementAt(1))).Kind);
    }

    [Fact]
    public async Task Oversized_and_truncated_frames_close_that_connection_and_the_silo_serves_on()
    {
        await using var cluster = await TestCluster.StartAsync(Options(silos: 2));
        var endpoint = cluster.Primary.SiloAddress!.Endpoint;
        var options = cluster.CreateNetworkingOptions();

        using (var oversized = await AuthenticatedRawPeer.ConnectAsync(endpoint, options))
        {
            var prefix = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)options.MaxFrameSize + 1);
            await oversized.Stream.WriteAsync(prefix);
            Assert.True(await NetworkTestSetup.PeerClosesAsync(oversized.Socket));
        }
        using (var truncated = await AuthenticatedRawPeer.ConnectAsync(endpoint, options))
        {
            var frame = new byte[4 + 3];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, 100);
            await truncated.Stream.WriteAsync(frame);
        }

        foreach (var silo in cluster.Silos)
        {
            Assert.Equal(TagOf(silo), await silo.GrainFactory.GetGrain<IPreferLocalGrain>(Random.Shared.NextInt64()).WhereAmI());
        }
        Assert.Equal(IPAddress.Loopback, endpoint.Address);
    }
}
