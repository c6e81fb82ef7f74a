using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// Checks the silo's endpoints at start. Orleans binds <c>Orleans:Endpoints</c> onto
/// <see cref="EndpointOptions"/> with TryParse and skips a value it cannot read, so a mistyped
/// address or port would silently become the default: this reads the section's text as well.
/// </summary>
public sealed class EndpointSettingsValidator(IConfiguration configuration) : IValidateOptions<EndpointOptions>
{
    public const string SectionName = "Orleans:Endpoints";

    public ValidateOptionsResult Validate(string? name, EndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = configuration.GetSection(SectionName);
        var failures = new List<string>();
        if (section[nameof(EndpointOptions.AdvertisedIPAddress)] is { } address && !IPAddress.TryParse(address, out _))
        {
            failures.Add($"{SectionName}:{nameof(EndpointOptions.AdvertisedIPAddress)} (Silo:ListenAddress) must be an IP address (was '{address}').");
        }
        CheckPort(section, nameof(EndpointOptions.SiloPort), "Silo:SiloPort, --port", failures);
        CheckPort(section, nameof(EndpointOptions.GatewayPort), "Silo:GatewayPort, --gateway-port", failures);
        foreach (var endpoint in new[] { nameof(EndpointOptions.SiloListeningEndpoint), nameof(EndpointOptions.GatewayListeningEndpoint) })
        {
            if (section[endpoint] is { } text && !IPEndPoint.TryParse(text, out _))
            {
                failures.Add($"{SectionName}:{endpoint} must be an IP address and port such as 0.0.0.0:11111 (was '{text}').");
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
