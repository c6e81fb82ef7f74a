using Microsoft.AspNetCore.Connections;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// Who may talk to a silo: with a certificate, mutual TLS on every silo-to-silo and
/// client-to-gateway connection (<see cref="PinnedCertificateTls"/>); always, the same ServiceId
/// (<see cref="ServiceIdHandshake"/>, inside TLS when it is on).
/// </summary>
public static class SecurityBuilderExtensions
{
    public static ISiloBuilder UseClusterSecurity(this ISiloBuilder builder, MigrationClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TlsCertificate is { } certificate)
        {
            builder.UseTls(tls => PinnedCertificateTls.Configure(tls, certificate));
        }
        // After TLS (registered first, so it wraps the transport this exchange runs on).
        var serviceId = options.ServiceId;
        return builder.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(c => c.UseServiceIdHandshake(serviceId));
            connections.ConfigureGatewayInboundConnection(c => c.UseServiceIdHandshake(serviceId));
            connections.ConfigureSiloOutboundConnection(c => c.UseServiceIdHandshake(serviceId));
        });
    }

    public static IClientBuilder UseClusterSecurity(this IClientBuilder builder, MigrationClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TlsCertificate is { } certificate)
        {
            builder.UseTls(tls => PinnedCertificateTls.Configure(tls, certificate));
        }
        var serviceId = options.ServiceId;
        return builder.Configure<ClientConnectionOptions>(connections => connections.ConfigureConnection(c => c.UseServiceIdHandshake(serviceId)));
    }
}
