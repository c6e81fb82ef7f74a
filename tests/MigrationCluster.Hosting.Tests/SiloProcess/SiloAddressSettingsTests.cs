using System.Net;
using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

/// <summary>Where a silo listens and what it advertises: both must be this host's, checked before anything starts.</summary>
public sealed class SiloAddressSettingsTests
{
    /// <summary>TEST-NET-3 (RFC 5737): documentation only, on no interface of any machine.</summary>
    private const string NoSuchAddress = "203.0.113.7";

    private static SiloProcessOptions Options(string listen, string? advertised) =>
        new() { MembershipConnection = Path.Combine(Path.GetTempPath(), "unused.db"), ListenAddress = listen, AdvertisedAddress = advertised };

    [Theory]
    [InlineData(NoSuchAddress, null, "Silo:ListenAddress 203.0.113.7 is not an address of this host (its interfaces have ")]
    [InlineData("0.0.0.0", NoSuchAddress, "Silo:AdvertisedAddress 203.0.113.7 is not an address of this host (its interfaces have ")]
    [InlineData("0.0.0.0", null, "Silo:AdvertisedAddress is required with Silo:ListenAddress 0.0.0.0")]
    [InlineData("0.0.0.0", "0.0.0.0", "Silo:AdvertisedAddress must be the IP address of one interface")]
    [InlineData("0.0.0.0", "silo-1", "Silo:AdvertisedAddress must be the IP address of one interface")]
    public void An_address_the_silo_cannot_be_reached_at_is_one_line_naming_the_setting(string listen, string? advertised, string message)
    {
        var error = Assert.Throws<ArgumentException>(Options(listen, advertised).Validate);

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void The_error_lists_the_hosts_own_addresses_loopback_among_them()
    {
        var error = Assert.Throws<ArgumentException>(Options("0.0.0.0", NoSuchAddress).Validate);

        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.True(HostAddresses.Has(IPAddress.Loopback));
        Assert.False(HostAddresses.Has(IPAddress.Parse(NoSuchAddress)));
    }

    [Fact]
    public void An_advertised_address_that_differs_from_a_specific_listen_address_is_refused()
    {
        // Another address of this host: eth0's, or lo's IPv6 one.
        var other = HostAddresses.All().FirstOrDefault(a => !a.Equals(IPAddress.Loopback) && !a.IsIPv6LinkLocal);
        Assert.True(other is not null, $"this test needs a second address on an interface besides 127.0.0.1; this host has {HostAddresses.Describe()}");

        var error = Assert.Throws<ArgumentException>(Options("127.0.0.1", other.ToString()).Validate);

        Assert.StartsWith($"Silo:AdvertisedAddress {other} differs from Silo:ListenAddress 127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    public void Addresses_of_this_host_pass(string listen, string? advertised) => Options(listen, advertised).Validate();

    [Fact]
    public void Bound_to_every_interface_a_silo_advertises_its_one_address_to_orleans()
    {
        var cluster = new MigrationClusterOptions { ListenAddress = "0.0.0.0", AdvertisedAddress = "127.0.0.1", SiloPort = 12111, GatewayPort = 31000 };
        cluster.Validate();

        Assert.Equal(IPAddress.Loopback, cluster.AdvertisedIPAddress);
        Assert.Equal(IPAddress.Any, cluster.ListenIPAddress);
        Assert.Throws<ArgumentException>(new MigrationClusterOptions { ListenAddress = "0.0.0.0" }.Validate);
    }

    [Fact]
    public void A_silo_given_an_advertised_address_of_another_machine_exits_2_before_anything_starts()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mc-advertise-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(2, SiloHost.Run(["--state-dir", directory, "--listen", "0.0.0.0", "--advertise", NoSuchAddress]));
        Assert.False(Directory.Exists(directory));
    }
}
