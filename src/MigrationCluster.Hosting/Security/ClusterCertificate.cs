using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// A cluster's own certificate: self-signed ECDSA P-256 for server and client authentication,
/// naming localhost, 127.0.0.1 and the hosts of a cluster on several machines (their names and
/// addresses), kept (with its key) in one PKCS#12 file that only its owner can read. Every silo and client of the cluster presents it, and each accepts a peer
/// only if it presents the same one (the thumbprint is pinned), so no CA is involved.
/// </summary>
public static class ClusterCertificate
{
    public const string SubjectName = "CN=migration-cluster";
    public static readonly TimeSpan Validity = TimeSpan.FromDays(3650);

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>A new certificate with its private key, naming localhost, 127.0.0.1 and <paramref name="hosts"/> (DNS names or IP addresses).</summary>
    public static X509Certificate2 Create(TimeProvider? time = null, IReadOnlyList<string>? hosts = null)
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
        foreach (var host in hosts ?? [])
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(now.AddDays(-1), now + Validity);
    }

    /// <summary>
    /// The certificate in <paramref name="path"/>, made there first if there is none. A file made
    /// here is readable by its owner only; two processes racing keep the first one written.
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string path, IReadOnlyList<string>? hosts = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            using var created = Create(hosts: hosts);
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

    /// <summary>
    /// The host names a certificate's hosts list asks for, checked: each a DNS name or an IP address
    /// (one-line <see cref="ArgumentException"/> naming the bad one).
    /// </summary>
    public static IReadOnlyList<string> ParseHosts(string? list)
    {
        var hosts = (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var host in hosts)
        {
            if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
            {
                throw new ArgumentException($"'{host}' is neither a host name nor an IP address.");
            }
        }
        return hosts.Length > 0 ? hosts : throw new ArgumentException("name at least one host (a,b,c).");
    }

    /// <summary>The DNS names and IP addresses the certificate names (its subject alternative names).</summary>
    public static IReadOnlyList<string> NamesOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return names is null ? [] : [.. names.EnumerateDnsNames(), .. names.EnumerateIPAddresses().Select(a => a.ToString())];
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
