using System.Net;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Tests.MembershipService;

public sealed class SiloAddressTests
{
    [Fact]
    public void ToString_is_S_endpoint_generation_and_Parse_reads_it_back()
    {
        var address = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 11111), 57234);

        Assert.Equal("S127.0.0.1:11111:57234", address.ToString());
        Assert.Equal(address, SiloAddress.Parse("S127.0.0.1:11111:57234"));
    }

    [Fact]
    public void IPv6_addresses_round_trip()
    {
        var address = new SiloAddress(new IPEndPoint(IPAddress.IPv6Loopback, 30000), 3);

        Assert.Equal("S[::1]:30000:3", address.ToString());
        Assert.Equal(address, SiloAddress.Parse(address.ToString()));
    }

    [Fact]
    public void Equality_is_by_endpoint_and_generation()
    {
        var a = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 11111), 1);
        var same = new SiloAddress(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 11111), 1);
        var restarted = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 11111), 2);
        var otherPort = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 11112), 1);

        Assert.True(a == same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, restarted);
        Assert.NotEqual(a, otherPort);
        Assert.True(a != null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1:11111:1")]
    [InlineData("S127.0.0.1:11111")]
    [InlineData("S127.0.0.1:11111:x")]
    [InlineData("Snot-an-ip:11111:1")]
    [InlineData("S127.0.0.1:70000:1")]
    public void Parse_rejects_what_is_not_a_silo_address(string text)
    {
        Assert.False(SiloAddress.TryParse(text, out _));
        Assert.Throws<FormatException>(() => SiloAddress.Parse(text));
    }

    [Fact]
    public void Later_starts_get_larger_generations()
    {
        var clock = new SteppingTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var first = SiloAddress.AllocateGeneration(clock);
        clock.Now += TimeSpan.FromSeconds(2);

        Assert.True(SiloAddress.AllocateGeneration(clock) > first);
    }

    private sealed class SteppingTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
