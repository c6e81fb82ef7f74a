using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// Checks the silo's endpoints at start. Orleans binds <c>Orleans:Endpoints</c> onto
/// <see cref="EndpointOptions"/> with TryParse and skips a value it cannot read, so a mistyped
/// address or port would silently become the default: this reads the section's text as well. Both
/// addresses must be this host's: the advertised one goes into the membership table, where every
/// peer looks for this silo, and the sockets bind the listening one (or every interface).
/// </summary>
public sealed class EndpointSettingsValidator(IConfiguration configuration) : IValidateOptions<EndpointOptions>
{
    public const string SectionName = "Orleans:Endpoints";

    private const string AdvertisedName = SectionName + ":" + nameof(EndpointOptions.AdvertisedIPAddress) + " (Silo:AdvertisedAddress, --advertise; or Silo:ListenAddress, --listen)";
    private const string ListenAlias = "Silo:ListenAddress, --listen";

    public ValidateOptionsResult Validate(string? name, EndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SectionName);
        var failures = new List<string>();
        IPAddress? advertised = null;
        if (section[nameof(EndpointOptions.AdvertisedIPAddress)] is { } address)
        {
            if (!IPAddress.TryParse(address, out advertised))
            {
                failures.Add($"{AdvertisedName} must be an IP address (was '{address}').");
            }
            else if (MigrationClusterOptions.IsAnyAddress(advertised))
            {
                failures.Add($"{AdvertisedName} must be the address of one interface of this host, not {address} (every interface): a silo listening on every interface needs the address other machines reach it at (this host has {HostAddresses.Describe()}).");
            }
            else if (!HostAddresses.Has(advertised))
            {
                // Written into the membership table, it would send every peer to another machine.
                failures.Add($"{AdvertisedName} {address} is not an address of this host (its interfaces have {HostAddresses.Describe()}).");
            }
        }
        CheckPort(section, nameof(EndpointOptions.SiloPort), "Silo:SiloPort, --port", failures);
        CheckPort(section, nameof(EndpointOptions.GatewayPort), "Silo:GatewayPort, --gateway-port", failures);
        var checkedAddresses = new HashSet<IPAddress>();
        foreach (var endpoint in new[] { nameof(EndpointOptions.SiloListeningEndpoint), nameof(EndpointOptions.GatewayListeningEndpoint) })
        {
            if (section[endpoint] is not { } text)
            {
                continue;
            }
            var named = $"{SectionName}:{endpoint} ({ListenAlias})";
            if (!IPEndPoint.TryParse(text, out var listening))
            {
                failures.Add($"{named} must be an IP address and port such as 0.0.0.0:11111 (was '{text}').");
                continue;
            }
            // Every interface, the advertised address (checked above) or one said already needs no more checking.
            if (MigrationClusterOptions.IsAnyAddress(listening.Address) || listening.Address.Equals(advertised) || !checkedAddresses.Add(listening.Address))
            {
                continue;
            }
            if (!HostAddresses.Has(listening.Address))
            {
                failures.Add($"{named} {text} is not an address of this host (its interfaces have {HostAddresses.Describe()}).");
            }
            else if (advertised is not null && !MigrationClusterOptions.IsAnyAddress(advertised))
            {
                failures.Add($"{named} {text} differs from {AdvertisedName} {advertised}: the silo would not answer where it is advertised (listen on 0.0.0.0, or on {advertised}).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPort(IConfigurationSection section, string key, string aliases, List<string> failures)
    {
        if (section[key] is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            failures.Add($"{SectionName}:{key} ({aliases}) must be a port between 1 and 65535 (was '{text}').");
        }
    }
}
