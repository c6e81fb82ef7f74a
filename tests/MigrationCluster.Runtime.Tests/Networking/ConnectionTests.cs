using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MigrationCluster.Runtime.Networking;
using static MigrationCluster.Runtime.Tests.Networking.NetworkTestSetup;

namespace MigrationCluster.Runtime.Tests.Networking;

/// <summary>Real TCP on 127.0.0.1: handshake, multiplexed frames, and peers that misbehave.</summary>
public sealed class ConnectionTests
{
    private readonly ListLogger _serverLog = new();
    private readonly ListLogger _clientLog = new();

    [Fact]
    public async Task The_right_key_and_cluster_authenticate_both_sides_and_frames_flow()
    {
        var options = Options();
        Connection? accepted = null;
        await using var listener = new ConnectionListener(options, _serverLog);
        var endpoint = listener.Bind();
        var serverIdentity = PeerIdentity.ForSilo(new Runtime.MembershipService.SiloAddress(endpoint, 7));
        listener.Start(serverIdentity, c =>
        {
            accepted = c;
            return new EchoFrameHandler();
        });
        var clientIdentity = Silo(12345, 3);
        var handler = new CollectingFrameHandler();

        await using var connection = await Connection.ConnectAsync(endpoint, clientIdentity, options, handler);
        connection.Send("hello"u8);
        await handler.WaitForFramesAsync(1);

        Assert.Equal("hello"u8.ToArray(), Assert.Single(handler.Frames));
        Assert.Equal(serverIdentity, connection.RemoteIdentity);
        Assert.Equal(clientIdentity, accepted!.RemoteIdentity);
        Assert.Equal(clientIdentity, Assert.Single(listener.Connections).RemoteIdentity);
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task A_client_identity_is_carried_as_a_client()
    {
        var options = Options();
        var accepted = new TaskCompletionSource<PeerIdentity>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = new ConnectionListener(options, _serverLog);
        listener.Start(Silo(1), c =>
        {
            accepted.SetResult(c.RemoteIdentity);
            return new EchoFrameHandler();
        });
        var client = PeerIdentity.NewClient();

        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, client, options, new CollectingFrameHandler());

        // The client may finish its side of the handshake before the listener finishes its own.
        var seen = await accepted.Task.WaitAsync(Patience);
        Assert.True(seen.IsClient);
        Assert.Equal(client, seen);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_on_both_sides()
    {
        await using var listener = StartEchoListener(Options(), _serverLog, out _);
        var wrongKey = Options(key: Encoding.UTF8.GetBytes("another key of thirty-two bytes!"));
        var handler = new CollectingFrameHandler();

        var refused = await Assert.ThrowsAsync<ConnectionRefusedException>(() =>
            Connection.ConnectAsync(listener.LocalEndPoint!, Silo(1), wrongKey, handler, _clientLog, null));

        Assert.Contains("failed authentication", refused.Message);
        var line = await _serverLog.WaitForLineAsync("Refused connection", "failed authentication");
        Assert.StartsWith("Warning", line);
        Assert.Empty(listener.Connections);
        await AssertStillServesAsync(listener, Options());
    }

    [Fact]
    public async Task A_wrong_cluster_id_is_refused_saying_which_cluster()
    {
        await using var listener = StartEchoListener(Options("cluster-y"), _serverLog, out _);

        var refused = await Assert.ThrowsAsync<ConnectionRefusedException>(() =>
            Connection.ConnectAsync(listener.LocalEndPoint!, Silo(1), Options("cluster-x"), new CollectingFrameHandler()));

        Assert.Contains("wrong cluster id 'cluster-y' (expected 'cluster-x')", refused.Message);
        await _serverLog.WaitForLineAsync("Refused connection", "wrong cluster id 'cluster-x' (expected 'cluster-y')");
        Assert.Empty(listener.Connections);
    }

    [Fact]
    public async Task Many_concurrent_senders_deliver_every_frame_exactly_once_intact_and_in_order_per_sender()
    {
        var options = Options();
        var received = new CollectingFrameHandler();
        await using var listener = new ConnectionListener(options, _serverLog);
        listener.Start(Silo(1), _ => received);
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(2), options, new CollectingFrameHandler());
        const int senders = 64;
        const int framesPerSender = 300;
        using var start = new ManualResetEventSlim();

        var sending = Enumerable.Range(0, senders).Select(sender => Task.Run(() =>
        {
            start.Wait();
            for (var seq = 0; seq < framesPerSender; seq++)
            {
                connection.Send(MakeFrame(sender, seq));
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(sending);
        await received.WaitForFramesAsync(senders * framesPerSender);

        var frames = received.Frames.ToList();
        Assert.Equal(senders * framesPerSender, frames.Count);
        var nextSeq = new int[senders];
        foreach (var frame in frames)
        {
            var sender = BinaryPrimitives.ReadInt32LittleEndian(frame);
            var seq = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4));
            Assert.Equal(nextSeq[sender], seq);
            Assert.Equal(MakeFrame(sender, seq), frame);
            nextSeq[sender]++;
        }

        Assert.All(nextSeq, n => Assert.Equal(framesPerSender, n));
    }

    [Fact]
    public async Task An_oversized_frame_closes_that_connection_only()
    {
        var options = Options(maxFrameSize: 4096);
        await using var listener = StartEchoListener(options, _serverLog, out _);
        var bystander = new CollectingFrameHandler();
        await using var good = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(3), options, bystander);
        // The sender allows bigger frames than the listener does.
        var offender = new CollectingFrameHandler();
        await using var bad = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(4), Options(), offender);

        bad.Send(new byte[10_000]);

        Assert.IsType<ConnectionClosedException>(await offender.Closed.WaitAsync(Patience));
        await _serverLog.WaitForLineAsync("Warning", "frame of 10000 bytes is over the limit of 4096 bytes");
        Assert.False(bad.IsConnected);
        Assert.Throws<ConnectionClosedException>(() => bad.Send("late"u8));
        good.Send("bystander"u8);
        await bystander.WaitForFramesAsync(1);
        Assert.True(good.IsConnected);
        await AssertStillServesAsync(listener, options);
    }

    [Fact]
    public async Task A_huge_length_prefix_is_refused_before_its_bytes_arrive()
    {
        var options = Options();
        await using var listener = StartEchoListener(options, _serverLog, out _);
        using var peer = await AuthenticatedRawPeer.ConnectAsync(listener.LocalEndPoint!, options);

        await peer.Stream.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F });

        Assert.True(await PeerClosesAsync(peer.Socket));
        await _serverLog.WaitForLineAsync("Warning", "frame of 2147483647 bytes is over the limit");
        await AssertStillServesAsync(listener, options);
    }

    [Fact]
    public async Task A_truncated_frame_closes_that_connection_only()
    {
        var options = Options();
        await using var listener = StartEchoListener(options, _serverLog, out _);
        var bystander = new CollectingFrameHandler();
        await using var good = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(3), options, bystander);
        using var peer = await AuthenticatedRawPeer.ConnectAsync(listener.LocalEndPoint!, options);

        // Announces 100 bytes, sends 10, and hangs up.
        var partial = new byte[4 + 10];
        BinaryPrimitives.WriteInt32LittleEndian(partial, 100);
        await peer.Stream.WriteAsync(partial);
        peer.Socket.Shutdown(SocketShutdown.Send);

        await _serverLog.WaitForLineAsync("Warning", "truncated frame", "(14 bytes of an unfinished frame)");
        good.Send("bystander"u8);
        await bystander.WaitForFramesAsync(1);
        await AssertStillServesAsync(listener, options);
    }

    public static TheoryData<string, byte[]> Garbage() => new()
    {
        { "random bytes", RandomBytes(4096) },
        { "an HTTP request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n") },
        { "a small frame without the magic", [16, 0, 0, 0, .. RandomBytes(16)] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Garbage_instead_of_a_hello_closes_that_connection_only(string what, byte[] garbage)
    {
        _ = what;
        var options = Options();
        await using var listener = StartEchoListener(options, _serverLog, out _);
        var bystander = new CollectingFrameHandler();
        await using var good = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(3), options, bystander);
        using var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint!);

        await socket.SendAsync(garbage);

        Assert.True(await PeerClosesAsync(socket));
        await _serverLog.WaitForLineAsync("Refused connection", "not a MigrationCluster peer");
        good.Send("bystander"u8);
        await bystander.WaitForFramesAsync(1);
        Assert.Single(listener.Connections);
    }

    [Fact]
    public async Task A_peer_that_never_says_hello_is_dropped_after_the_handshake_timeout()
    {
        var options = Options();
        options.HandshakeTimeout = TimeSpan.FromMilliseconds(300);
        await using var listener = StartEchoListener(options, _serverLog, out _);
        using var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint!);

        Assert.True(await PeerClosesAsync(socket));
        await _serverLog.WaitForLineAsync("Refused connection", "no handshake");
        await AssertStillServesAsync(listener, options);
    }

    [Fact]
    public async Task Closing_tells_both_handlers_once_and_later_sends_fail_fast()
    {
        var options = Options();
        var serverSide = new CollectingFrameHandler();
        await using var listener = new ConnectionListener(options, _serverLog);
        listener.Start(Silo(1), _ => serverSide);
        var clientSide = new CollectingFrameHandler();
        var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(2), options, clientSide);
        connection.Send("last words"u8);

        await connection.DisposeAsync();

        Assert.Null(await clientSide.Closed.WaitAsync(Patience));
        var serverReason = await serverSide.Closed.WaitAsync(Patience);
        Assert.IsType<ConnectionClosedException>(serverReason);
        // Frames queued before the close still arrive.
        Assert.Equal("last words"u8.ToArray(), Assert.Single(serverSide.Frames));
        Assert.False(connection.IsConnected);
        Assert.Throws<ConnectionClosedException>(() => connection.Send("too late"u8));
    }

    [Fact]
    public async Task A_frame_over_the_local_limit_is_rejected_before_it_is_sent()
    {
        var options = Options(maxFrameSize: 2048);
        await using var listener = StartEchoListener(options, _serverLog, out _);
        var handler = new CollectingFrameHandler();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(2), options, handler);

        Assert.Throws<ArgumentException>(() => connection.Send(new byte[2049]));

        connection.Send(new byte[2048]);
        await handler.WaitForFramesAsync(1);
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task A_handler_that_throws_does_not_close_the_connection()
    {
        var options = Options();
        await using var listener = StartEchoListener(options, _serverLog, out _);
        var handler = new ThrowOnceHandler();
        var clientLog = new ListLogger();
        await using var connection = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(2), options, handler, clientLog, null);

        connection.Send("boom"u8);
        connection.Send("fine"u8);

        await handler.Inner.WaitForFramesAsync(1);
        Assert.Equal("fine"u8.ToArray(), Assert.Single(handler.Inner.Frames));
        await clientLog.WaitForLineAsync("Error", "Frame handler failed");
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task Broken_peers_leave_no_unobserved_task_exceptions()
    {
        var unobserved = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Enqueue(e.Exception);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var options = Options(maxFrameSize: 4096);
            await using (var listener = StartEchoListener(options, _serverLog, out _))
            {
                await using (var bad = await Connection.ConnectAsync(listener.LocalEndPoint!, Silo(4), Options(), new CollectingFrameHandler()))
                {
                    bad.Send(new byte[10_000]);
                    await _serverLog.WaitForLineAsync("over the limit");
                }

                using (var peer = await AuthenticatedRawPeer.ConnectAsync(listener.LocalEndPoint!, options))
                {
                    await peer.Stream.WriteAsync(new byte[] { 100, 0, 0, 0, 1 });
                    peer.Socket.Shutdown(SocketShutdown.Send);
                    await _serverLog.WaitForLineAsync("truncated frame");
                }

                using (var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                {
                    await socket.ConnectAsync(listener.LocalEndPoint!);
                    await socket.SendAsync(RandomBytes(64));
                    await _serverLog.WaitForLineAsync("not a MigrationCluster peer");
                }

                await Assert.ThrowsAsync<ConnectionRefusedException>(() =>
                    Connection.ConnectAsync(listener.LocalEndPoint!, Silo(1), Options("elsewhere"), new CollectingFrameHandler()));
                await AssertStillServesAsync(listener, options);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.DoesNotContain(unobserved, e => e.ToString().Contains("MigrationCluster.Runtime.Networking", StringComparison.Ordinal));
    }

    private static byte[] MakeFrame(int sender, int seq)
    {
        // Sizes from 8 bytes to about 40 KiB, so frames straddle the sender's 16 KiB segments.
        var size = 8 + (seq * 7919 + sender * 104729) % (seq % 50 == 0 ? 40_000 : 300);
        var frame = new byte[size];
        BinaryPrimitives.WriteInt32LittleEndian(frame, sender);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), seq);
        for (var i = 8; i < size; i++)
        {
            frame[i] = (byte)(sender * 31 + seq * 17 + i);
        }

        return frame;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(20260101).NextBytes(bytes);
        bytes[3] = 0x80; // a length prefix far over the handshake limit, whatever the seed gives
        return bytes;
    }

    private sealed class ThrowOnceHandler : IFrameHandler
    {
        private int _calls;

        public CollectingFrameHandler Inner { get; } = new();

        public void OnFrame(Connection connection, System.Buffers.ReadOnlySequence<byte> payload)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new InvalidOperationException("handler bug");
            }

            Inner.OnFrame(connection, payload);
        }

        public void OnClosed(Connection connection, Exception? reason) => Inner.OnClosed(connection, reason);
    }
}
