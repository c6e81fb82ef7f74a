using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// Who may talk to a silo: with a certificate, mutual TLS on every silo-to-silo and
/// client-to-gateway connection (<see cref="PinnedCertificateTls"/>); always, the same ServiceId
/// (<see cref="ServiceIdHandshake"/>, inside TLS when it is on), the one Orleans'
/// <see cref="ClusterOptions"/> hold however they were set (code or the <c>Orleans</c> section).
/// </summary>
public static class SecurityBuilderExtensions
{
    public static ISiloBuilder UseClusterSecurity(this ISiloBuilder builder, X509Certificate2? certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (certificate is not null)
        {
            builder.UseTls(tls => PinnedCertificateTls.Configure(tls, certificate));
        }
        // After TLS (registered first, so it wraps the transport this exchange runs on).
        builder.Services.AddOptions<SiloConnectionOptions>().Configure<IOptions<ClusterOptions>>((connections, cluster) =>
        {
            var serviceId = cluster.Value.ServiceId;
            connections.ConfigureSiloInboundConnection(c => c.UseServiceIdHandshake(serviceId));
            connections.ConfigureGatewayInboundConnection(c => c.UseServiceIdHandshake(serviceId));
            connections.ConfigureSiloOutboundConnection(c => c.UseServiceIdHandshake(serviceId));
        });
        return builder;
    }

    public static IClientBuilder UseClusterSecurity(this IClientBuilder builder, X509Certificate2? certificate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (certificate is not null)
        {
            builder.UseTls(tls => PinnedCertificateTls.Configure(tls, certificate));
            // Orleans keeps its TlsOptions inside the connection; the same options as a service let
            // GatewayTlsProbe shake hands exactly as the client does, to say why a handshake is refused.
            builder.Services.Configure<TlsOptions>(tls => PinnedCertificateTls.Configure(tls, certificate));
        }
        builder.Services.AddOptions<ClientConnectionOptions>().Configure<IOptions<ClusterOptions>>((connections, cluster) =>
        {
            var serviceId = cluster.Value.ServiceId;
            connections.ConfigureConnection(c => c.UseServiceIdHandshake(serviceId));
        });
        return builder;
    }
}
