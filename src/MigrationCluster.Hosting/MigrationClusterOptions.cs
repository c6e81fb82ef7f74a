using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace MigrationCluster.Hosting;

/// <summary>
/// How a silo or a client of a MigrationCluster is set up in code: the cluster's identity, the
/// endpoints and the certificate (where the membership table lives is Orleans' clustering
/// provider's to say). Checked when the builder is configured, so a bad
/// setting stops the start with one line naming it.
/// </summary>
public sealed class MigrationClusterOptions
{
    public const string DefaultClusterId = "migration-cluster";
    public const string DefaultServiceId = "migration-cluster";

    /// <summary>Silos listen on loopback unless told otherwise: a local cluster is not a network service.</summary>
    public const string DefaultListenAddress = "127.0.0.1";

    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;

    public string ClusterId { get; set; } = DefaultClusterId;

    public string ServiceId { get; set; } = DefaultServiceId;

    /// <summary>The address the silo listens on (<c>0.0.0.0</c>: every interface), and advertises unless <see cref="AdvertisedAddress"/> says otherwise.</summary>
    public string ListenAddress { get; set; } = DefaultListenAddress;

    /// <summary>
    /// The address other silos and clients reach this silo at (what the membership table holds);
    /// null: <see cref="ListenAddress"/>, which then must name one interface, not all of them.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    public int SiloPort { get; set; } = DefaultSiloPort;

    /// <summary>The silo's gateway port for clients.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>
    /// The cluster's certificate (with its key): when set, every connection is mutual TLS and a
    /// peer must present this same certificate. Null: plain TCP (the command's own in-process silos).
    /// </summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>
    /// A silo adds the grain side of Orleans' dashboard (<c>AddDashboard()</c>: its grains, and a call
    /// filter that times every grain call while a dashboard is open). Off by default: the silo
    /// process and <c>run --dashboard</c> turn it on; tests and benchmarks keep their calls bare.
    /// </summary>
    public bool Dashboard { get; set; }

    /// <summary>
    /// The options <paramref name="configure"/> gives, validated (bad options throw here, before
    /// anything starts), registered as a service, and the cluster's identity handed to Orleans:
    /// what a silo and a client of the simulation both begin with.
    /// </summary>
    internal static MigrationClusterOptions Register(IServiceCollection services, Action<MigrationClusterOptions>? configure)
    {
        var options = new MigrationClusterOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddSingleton(options);
        services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        return options;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("ClusterId must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new ArgumentException("ServiceId must not be empty.");
        }
        if (!IPAddress.TryParse(ListenAddress, out _))
        {
            throw new ArgumentException($"ListenAddress must be an IP address (was '{ListenAddress}').");
        }
        if (AdvertisedAddress is not null && (!IPAddress.TryParse(AdvertisedAddress, out var advertised) || IsAnyAddress(advertised)))
        {
            throw new ArgumentException($"AdvertisedAddress must be the IP address of one interface (was '{AdvertisedAddress}').");
        }
        if (AdvertisedAddress is null && IsAnyAddress(IPAddress.Parse(ListenAddress)))
        {
            throw new ArgumentException($"AdvertisedAddress is required when ListenAddress is {ListenAddress} (every interface): other silos need one address to reach this one.");
        }
        CheckPort(nameof(SiloPort), SiloPort);
        CheckPort(nameof(GatewayPort), GatewayPort);
    }

    /// <summary>The listen address as an <see cref="IPAddress"/> (after <see cref="Validate"/>).</summary>
    public IPAddress ListenIPAddress => IPAddress.Parse(ListenAddress);

    /// <summary>The address the silo advertises (after <see cref="Validate"/>): <see cref="AdvertisedAddress"/>, else <see cref="ListenAddress"/>.</summary>
    public IPAddress AdvertisedIPAddress => IPAddress.Parse(AdvertisedAddress ?? ListenAddress);

    /// <summary>0.0.0.0 or [::]: "every interface", which is no address to reach a silo at.</summary>
    public static bool IsAnyAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
    }

    private static void CheckPort(string name, int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"{name} must be between 1 and 65535 (was {port}).");
        }
    }
}
