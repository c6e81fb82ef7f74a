using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

/// <summary>The client.json of a cluster on several machines: read, checked, and handed to the Orleans client.</summary>
public sealed class ClusterClientSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mc-client-settings-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Write(string json, bool certificate = true)
    {
        File.WriteAllText(Path.Combine(_directory, ClusterClientSettings.FileName), json);
        if (certificate)
        {
            using var made = ClusterCertificate.LoadOrCreate(Path.Combine(_directory, "cluster.pfx"));
        }
    }

    [Fact]
    public void A_postgres_cluster_is_read_with_its_timeouts_and_certificate_beside_the_file()
    {
        Write("""{ "ClusterId": "lab", "MembershipConnection": "Host=10.0.0.10;Username=orleans;Password=hunter2;Database=orleans", "ConnectTimeout": "00:00:07" }""");

        var settings = ClusterClientSettings.Load(_directory);
        var options = new MigrationClusterOptions();
        settings.ApplyTo(options);

        Assert.True(ClusterClientSettings.ExistsIn(_directory));
        Assert.Equal(TimeSpan.FromSeconds(7), settings.ConnectTimeout);
        Assert.Equal(ClusterClientSettings.DefaultResponseTimeout, settings.ResponseTimeout);
        Assert.Equal(Path.Combine(_directory, "cluster.pfx"), settings.TlsCertificateFile);
        Assert.Equal(("lab", ClusteringProvider.Postgres), (options.ClusterId, options.Clustering));
        Assert.Contains("Host=10.0.0.10", options.PostgresConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_redis_cluster_goes_to_orleans_redis_provider()
    {
        Write("""{ "ClusterId": "lab", "MembershipProvider": "redis", "MembershipConnection": "10.0.0.10:6379" }""");
        var options = new MigrationClusterOptions();

        ClusterClientSettings.Load(_directory).ApplyTo(options);

        Assert.Equal((ClusteringProvider.Redis, "10.0.0.10:6379"), (options.Clustering, options.RedisConfiguration));
    }

    [Theory]
    [InlineData("""{ "MembershipConnection": "Host=db" }""", true, "ClusterId is required")]
    [InlineData("""{ "ClusterId": "lab", "MembershipProvider": "sqlite", "MembershipConnection": "x.db" }""", true, "MembershipProvider must be postgres or redis")]
    [InlineData("""{ "ClusterId": "lab" }""", true, "MembershipConnection: ")]
    [InlineData("""{ "ClusterId": "lab", "MembershipConnection": "Host=db", "ConnectTimeout": "soon" }""", true, "")]
    [InlineData("""{ "ClusterId": "lab", "MembershipConnection": "Host=db", "ResponseTimeout": "-00:00:01" }""", true, "ConnectTimeout and ResponseTimeout must be positive")]
    [InlineData("""{ "ClusterId": "lab", "MembershipConnection": "Host=db" }""", false, "no certificate at ")]
    [InlineData("""{ "ClusterId": """, true, "")]
    public void Bad_settings_are_one_line_naming_the_file(string json, bool certificate, string message)
    {
        Write(json, certificate);

        var error = Assert.Throws<ArgumentException>(() => ClusterClientSettings.Load(_directory));

        Assert.StartsWith($"{ClusterClientSettings.PathIn(_directory)}: {message}", error.Message, StringComparison.Ordinal);
    }
}
