using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// A local cluster's own certificate: self-signed ECDSA P-256 for server and client
/// authentication, names localhost and 127.0.0.1, kept (with its key) in one PKCS#12 file that only
/// its owner can read. Every silo and client of the cluster presents it, and each accepts a peer
/// only if it presents the same one (the thumbprint is pinned), so no CA is involved.
/// </summary>
public static class ClusterCertificate
{
    public const string SubjectName = "CN=migration-cluster";
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3650);

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>A new certificate with its private key.</summary>
    public static X509Certificate2 Create(TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication), new Oid(ClientAuthentication)], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(now.AddDays(-1), now + Validity);
    }

    /// <summary>
    /// The certificate in <paramref name="path"/>, made there first if there is none. A file made
    /// here is readable by its owner only; two processes racing keep the first one written.
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            using var created = Create();
            var temporary = $"{path}.tmp-{Environment.ProcessId}";
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // Created 0600: the key is never readable by others, not even for a moment.
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var file = new FileStream(temporary, fileOptions))
            {
                file.Write(created.Export(X509ContentType.Pkcs12));
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException)
            {
                // Another process wrote it first: theirs is the cluster's certificate.
                File.Delete(temporary);
            }
        }
        return Load(path);
    }

    /// <summary>The certificate and key in <paramref name="path"/>; a one-line error if it is not one.</summary>
    public static X509Certificate2 Load(string path)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            return certificate.HasPrivateKey
                ? certificate
                : throw new ArgumentException($"The TLS certificate {path} has no private key.");
        }
        catch (CryptographicException exception)
        {
            throw new ArgumentException($"The TLS certificate {path} cannot be read: {exception.Message}", exception);
        }
    }
}
