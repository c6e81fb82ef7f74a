using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// Orleans' TLS options for a cluster whose members all present one certificate: ours to
/// present, a certificate required from every peer (silo, gateway client), and a peer accepted
/// only if its certificate is that very one. Self-signed, so the chain is not what is trusted:
/// the pinned thumbprint is.
/// </summary>
public static class PinnedCertificateTls
{
    public static void Configure(TlsOptions options, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(certificate);
        var pinned = certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        options.LocalCertificate = certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) =>
            remote is not null && remote.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned);
    }
}
