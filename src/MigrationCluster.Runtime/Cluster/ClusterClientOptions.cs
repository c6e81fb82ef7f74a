using System.Reflection;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>How a client (a process that calls grains but hosts none) finds and reaches the cluster.</summary>
public sealed class ClusterClientOptions
{
    public static readonly TimeSpan DefaultGatewayRefreshPeriod = TimeSpan.FromSeconds(5);

    /// <summary>Cluster id and key (the listen settings are not used: a client only connects).</summary>
    public NetworkingOptions Networking { get; set; } = new();

    /// <summary>Where the active silos (the gateways) are read from. Set this or <see cref="Gateways"/>.</summary>
    public IMembershipTable? MembershipTable { get; set; }

    /// <summary>Fixed gateways, when there is no membership table to read.</summary>
    public IList<SiloAddress> Gateways { get; } = [];

    /// <summary>Assemblies with the grain classes (for interface -> grain type) the client calls.</summary>
    public IList<Assembly> GrainAssemblies { get; } = [];

    public MessagingOptions Messaging { get; set; } = new();

    /// <summary>How often the gateway list is read again from the membership table.</summary>
    public TimeSpan GatewayRefreshPeriod { get; set; } = DefaultGatewayRefreshPeriod;

    public void Validate()
    {
        if (MembershipTable is null && Gateways.Count == 0)
        {
            throw new OptionsValidationException($"{nameof(ClusterClientOptions)}: set {nameof(MembershipTable)} or at least one of {nameof(Gateways)}.");
        }
        if (GrainAssemblies.Count == 0)
        {
            throw new OptionsValidationException($"{nameof(ClusterClientOptions)}.{nameof(GrainAssemblies)} is empty: the client cannot map grain interfaces to grain types.");
        }
        if (GatewayRefreshPeriod <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(ClusterClientOptions)}.{nameof(GatewayRefreshPeriod)} must be positive (was {GatewayRefreshPeriod}).");
        }
        Messaging.Validate();
        try
        {
            Networking.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new OptionsValidationException(exception.Message);
        }
    }
}
