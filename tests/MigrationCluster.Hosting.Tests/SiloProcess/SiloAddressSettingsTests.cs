using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MigrationCluster.Hosting.SiloProcess;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

/// <summary>
/// Where a silo listens and what it advertises (<c>Silo:ListenAddress</c>/<c>--listen</c>,
/// <c>Silo:AdvertisedAddress</c>/<c>--advertise</c>, aliases of Orleans' endpoint keys): both must
/// be this host's, checked before anything starts.
/// </summary>
public sealed class SiloAddressSettingsTests
{
    /// <summary>TEST-NET-3 (RFC 5737): documentation only, on no interface of any machine.</summary>
    private const string NoSuchAddress = "203.0.113.7";

    private const string Advertised = "Orleans:Endpoints:AdvertisedIPAddress";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-addresses-" + Guid.NewGuid().ToString("N"));

    private HostApplicationBuilder Builder(params string[] args) => SiloHost.CreateBuilder(["--state-dir", _directory, .. args]);

    private string Refusal(params string[] args) =>
        Assert.Throws<ArgumentException>(() => SiloHost.ReadSettings(Builder(args))).Message;

    [Theory]
    [InlineData(new[] { "--listen", NoSuchAddress }, $"{Advertised} (Silo:AdvertisedAddress, --advertise; or Silo:ListenAddress, --listen) 203.0.113.7 is not an address of this host (its interfaces have ", "(set as Silo:ListenAddress)")]
    [InlineData(new[] { "--listen", "0.0.0.0", "--advertise", NoSuchAddress }, "203.0.113.7 is not an address of this host (its interfaces have ", "(set as Silo:AdvertisedAddress)")]
    [InlineData(new[] { "--listen", "0.0.0.0" }, "must be the address of one interface of this host, not 0.0.0.0 (every interface)", "(set as Silo:ListenAddress)")]
    [InlineData(new[] { "--listen", "0.0.0.0", "--advertise", "0.0.0.0" }, "must be the address of one interface of this host, not 0.0.0.0", "(set as Silo:AdvertisedAddress)")]
    [InlineData(new[] { "--listen", "0.0.0.0", "--advertise", "silo-1" }, $"{Advertised} (Silo:AdvertisedAddress, --advertise; or Silo:ListenAddress, --listen) must be an IP address (was 'silo-1')", "(set as Silo:AdvertisedAddress)")]
    [InlineData(new[] { "--Orleans:Endpoints:SiloListeningEndpoint", NoSuchAddress + ":11111" }, "Orleans:Endpoints:SiloListeningEndpoint (Silo:ListenAddress, --listen) 203.0.113.7:11111 is not an address of this host", "")]
    public void An_address_the_silo_cannot_be_reached_at_is_one_line_naming_the_setting(string[] args, string message, string alias)
    {
        var error = Refusal(args);

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains(alias, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void The_error_lists_the_hosts_own_addresses_loopback_among_them()
    {
        var error = Refusal("--listen", "0.0.0.0", "--advertise", NoSuchAddress);

        Assert.Contains("127.0.0.1", error, StringComparison.Ordinal);
        Assert.True(HostAddresses.Has(IPAddress.Loopback));
        Assert.False(HostAddresses.Has(IPAddress.Parse(NoSuchAddress)));
    }

    [Fact]
    public void An_advertised_address_that_differs_from_a_specific_listen_address_is_refused()
    {
        // Another address of this host: eth0's, or lo's IPv6 one.
        var other = HostAddresses.All().FirstOrDefault(a => !a.Equals(IPAddress.Loopback) && !a.IsIPv6LinkLocal);
        Assert.True(other is not null, $"this test needs a second address on an interface besides 127.0.0.1; this host has {HostAddresses.Describe()}");

        var error = Refusal("--listen", "127.0.0.1", "--advertise", other.ToString());

        Assert.Contains($"Orleans:Endpoints:SiloListeningEndpoint (Silo:ListenAddress, --listen) 127.0.0.1:11111 differs from {Advertised}", error, StringComparison.Ordinal);
        Assert.Contains("(set as Silo:ListenAddress)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "127.0.0.1", null)]
    [InlineData(new[] { "--listen", "127.0.0.1" }, "127.0.0.1", "127.0.0.1")]
    [InlineData(new[] { "--listen", "0.0.0.0", "--advertise", "127.0.0.1" }, "127.0.0.1", "0.0.0.0")]
    [InlineData(new[] { "--listen", "127.0.0.1", "--advertise", "127.0.0.1" }, "127.0.0.1", "127.0.0.1")]
    public void Addresses_of_this_host_pass_and_orleans_binds_them(string[] args, string advertised, string? listening)
    {
        var builder = Builder([.. args, "--port", "12111", "--gateway-port", "31000"]);
        SiloHost.ReadSettings(builder);
        using var host = builder.Build();

        // Orleans' own binding of the keys the aliases set: the membership table gets the advertised address, the sockets the listening one.
        var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(IPAddress.Parse(advertised), endpoints.AdvertisedIPAddress);
        Assert.Equal(listening is null ? null : new IPEndPoint(IPAddress.Parse(listening), 12111), endpoints.SiloListeningEndpoint);
        Assert.Equal(listening is null ? null : new IPEndPoint(IPAddress.Parse(listening), 31000), endpoints.GatewayListeningEndpoint);
        Assert.Equal((12111, 31000), (endpoints.SiloPort, endpoints.GatewayPort));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Bound_to_every_interface_a_silo_in_code_advertises_its_one_address_to_orleans()
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
        Assert.Equal(2, SiloHost.Run(["--state-dir", _directory, "--listen", "0.0.0.0", "--advertise", NoSuchAddress]));
        Assert.False(Directory.Exists(_directory));
    }
}
