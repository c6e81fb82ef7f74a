using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;
using Orleans.Messaging;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// Says in one sentence why a client's TLS handshake with the cluster is refused. Orleans' client
/// retries a refused handshake until its connect timeout and then reports only the timeout, so
/// the command shakes hands with a gateway itself, with the very TLS options the client uses
/// (its certificate and the pinned-thumbprint check), while the client connects.
/// </summary>
public static class GatewayTlsProbe
{
    /// <summary>How long one gateway may take to connect and shake hands.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How many of the listed gateways are tried.</summary>
    public const int MaxGateways = 3;

    /// <summary>
    /// The refusal, or null when a handshake succeeded, no gateway was reachable, or the client has
    /// no TLS: everything but a refused handshake is left to the client's own connect and messages.
    /// </summary>
    public static async Task<string?> FindRefusalAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var tls = services.GetService<IOptions<TlsOptions>>()?.Value;
        if (tls?.LocalCertificate is null)
        {
            return null;
        }
        IList<Uri> gateways;
        try
        {
            // An instance of its own: the client's provider is the client's to initialize.
            var listed = services.GetRequiredService<IGatewayListProvider>();
            var provider = (IGatewayListProvider)ActivatorUtilities.CreateInstance(services, listed.GetType());
            await provider.InitializeGatewayListProvider().WaitAsync(cancellationToken).ConfigureAwait(false);
            gateways = await provider.GetGateways().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The membership table out of reach is the client's connect failure to report.
            return null;
        }
        foreach (var gateway in gateways.Take(MaxGateways))
        {
            var refusal = await HandshakeAsync(gateway, tls, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }
        }
        return null;
    }

    private static async Task<string?> HandshakeAsync(Uri gateway, TlsOptions tls, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        var endpoint = $"{gateway.Host}:{gateway.Port}";
        byte[]? presented = null;
        var accepted = false;
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(gateway.Host, gateway.Port, timeout.Token).ConfigureAwait(false);
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = gateway.Host,
                ClientCertificates = [tls.LocalCertificate!],
                EnabledSslProtocols = tls.SslProtocols,
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                {
                    presented = certificate?.GetCertHash(HashAlgorithmName.SHA256);
                    accepted = certificate is X509Certificate2 remote && chain is not null
                        && (tls.RemoteCertificateValidation?.Invoke(remote, chain, errors) ?? errors == SslPolicyErrors.None);
                    return accepted;
                },
            }, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (AuthenticationException exception)
        {
            return presented is not null && !accepted
                ? $"TLS handshake with the gateway at {endpoint} refused: it presents the certificate {Convert.ToHexString(presented)[..16]}..., not the one this client holds ({Convert.ToHexString(tls.LocalCertificate!.GetCertHash(HashAlgorithmName.SHA256))[..16]}...); give the client the cluster's certificate"
                : $"TLS handshake with the gateway at {endpoint} failed: {exception.Message}";
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Unreachable, closed or anything else: not a TLS verdict (the probe must never be why a connect fails).
            return null;
        }
    }
}
