using System.Net;
using MigrationCluster.Hosting.Security;

namespace MigrationCluster.Hosting.Tests.Security;

/// <summary>A cluster certificate for silos on several machines names them, besides localhost and 127.0.0.1.</summary>
public sealed class ClusterCertificateHostsTests
{
    [Fact]
    public void The_certificate_names_localhost_loopback_and_every_host_given()
    {
        using var certificate = ClusterCertificate.Create(hosts: ["10.0.0.11", "silo-2.lab.example", "fd00::12"]);

        var names = ClusterCertificate.NamesOf(certificate);

        Assert.Equal(new[] { "localhost", "silo-2.lab.example", "127.0.0.1", "10.0.0.11", "fd00::12" }.Order(), names.Order());
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Without_hosts_it_names_only_this_machine()
    {
        using var certificate = ClusterCertificate.Create();

        Assert.Equal(new[] { "127.0.0.1", "localhost" }, ClusterCertificate.NamesOf(certificate).Order());
    }

    [Theory]
    [InlineData("10.0.0.11,silo-2, fd00::12 ", new[] { "10.0.0.11", "silo-2", "fd00::12" })]
    [InlineData("a", new[] { "a" })]
    public void A_hosts_list_is_split_and_trimmed(string list, string[] expected) =>
        Assert.Equal(expected, ClusterCertificate.ParseHosts(list));

    [Theory]
    [InlineData("", "name at least one host")]
    [InlineData(" , ", "name at least one host")]
    [InlineData("10.0.0.11,bad host", "'bad host' is neither a host name nor an IP address.")]
    [InlineData("http://x", "'http://x' is neither a host name nor an IP address.")]
    public void A_bad_hosts_list_is_one_line_naming_the_bad_entry(string list, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ClusterCertificate.ParseHosts(list));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_made_for_hosts_keeps_them_when_loaded_again()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mc-cert-{Guid.NewGuid():N}.pfx");
        try
        {
            using (ClusterCertificate.LoadOrCreate(path, ["10.0.0.11"]))
            {
            }
            using var loaded = ClusterCertificate.Load(path);
            Assert.Contains(IPAddress.Parse("10.0.0.11").ToString(), ClusterCertificate.NamesOf(loaded));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
