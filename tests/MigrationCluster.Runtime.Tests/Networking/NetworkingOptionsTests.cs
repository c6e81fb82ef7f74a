using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

public sealed class NetworkingOptionsTests
{
    [Fact]
    public void Defaults_listen_on_loopback_on_any_port()
    {
        var options = new NetworkingOptions { ClusterId = "c", ClusterKey = NetworkingOptions.GenerateClusterKey() };

        options.Validate();

        Assert.Equal("127.0.0.1:0", options.GetListenEndPoint().ToString());
        Assert.Equal(8 * 1024 * 1024, options.MaxFrameSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HandshakeTimeout);
    }

    [Fact]
    public void A_key_is_required_and_must_be_long_enough()
    {
        Assert.Contains("ClusterKey is required", Assert.Throws<ArgumentException>(() => new NetworkingOptions { ClusterId = "c" }.Validate()).Message);
        Assert.Contains("is 15 bytes", Assert.Throws<ArgumentException>(() => new NetworkingOptions { ClusterId = "c", ClusterKey = new byte[15] }.Validate()).Message);
    }

    [Fact]
    public void A_key_can_come_from_configuration_as_base64()
    {
        var key = NetworkingOptions.GenerateClusterKey();
        var options = new NetworkingOptions { ClusterId = "c", ClusterKeyBase64 = Convert.ToBase64String(key) };

        options.Validate();

        Assert.Equal(key, options.GetClusterKey());
        Assert.Contains("not valid base64", Assert.Throws<ArgumentException>(() => new NetworkingOptions { ClusterId = "c", ClusterKeyBase64 = "%%%" }.Validate()).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => new NetworkingOptions { ClusterId = "c", ClusterKey = key, ClusterKeyBase64 = Convert.ToBase64String(key) }.Validate()).Message);
    }

    [Theory]
    [InlineData("", "ClusterId is required")]
    [InlineData("listen", "is not an IP address")]
    [InlineData("port", "is not a TCP port")]
    [InlineData("frame", "MaxFrameSize")]
    [InlineData("timeout", "HandshakeTimeout")]
    public void Invalid_settings_are_named(string what, string expected)
    {
        var options = new NetworkingOptions { ClusterId = "c", ClusterKey = new byte[16] };
        switch (what)
        {
            case "": options.ClusterId = ""; break;
            case "listen": options.ListenAddress = "localhost:1"; break;
            case "port": options.ListenPort = 70000; break;
            case "frame": options.MaxFrameSize = 10; break;
            case "timeout": options.HandshakeTimeout = TimeSpan.Zero; break;
        }

        Assert.Contains(expected, Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void ToString_redacts_the_key()
    {
        var options = new NetworkingOptions { ClusterId = "c", ClusterKeyBase64 = Convert.ToBase64String(new byte[16]) };

        Assert.DoesNotContain(options.ClusterKeyBase64, options.ToString());
        Assert.Contains("<redacted>", options.ToString());
    }

    [Fact]
    public void Peer_identities_round_trip_through_their_wire_form()
    {
        var silo = NetworkTestSetup.Silo(11111, 5);
        var client = PeerIdentity.ForClient("abc");

        Assert.True(PeerIdentity.TryParse(silo.ToString(), out var parsedSilo));
        Assert.True(PeerIdentity.TryParse(client.ToString(), out var parsedClient));
        Assert.Equal(silo, parsedSilo);
        Assert.Equal(client, parsedClient);
        Assert.False(parsedSilo.IsClient);
        Assert.True(parsedClient.IsClient);
        Assert.False(PeerIdentity.TryParse("X", out _));
    }
}
