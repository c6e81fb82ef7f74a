using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MigrationCluster.Hosting.Security;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime.Membership;
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
        using var client = Client(settings);

        Assert.True(ClusterClientSettings.ExistsIn(_directory));
        Assert.Equal(TimeSpan.FromSeconds(7), settings.ConnectTimeout);
        Assert.Equal(Path.Combine(_directory, "cluster.pfx"), settings.TlsCertificateFile);
        Assert.Equal("lab", client.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
        Assert.Equal(ClusterClientSettings.DefaultResponseTimeout, client.Services.GetRequiredService<IOptions<ClientMessagingOptions>>().Value.ResponseTimeout);
        Assert.IsType<AdoNetGatewayListProvider>(client.Services.GetRequiredService<IGatewayListProvider>());
        var adoNet = client.Services.GetRequiredService<IOptions<AdoNetClusteringClientOptions>>().Value;
        Assert.Equal("Npgsql", adoNet.Invariant);
        Assert.Contains("Host=10.0.0.10", adoNet.ConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", settings.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_redis_cluster_goes_to_orleans_redis_provider()
    {
        Write("""{ "ClusterId": "lab", "MembershipProvider": "redis", "MembershipConnection": "10.0.0.10:6379", "ResponseTimeout": "00:00:08" }""");

        using var client = Client(ClusterClientSettings.Load(_directory));

        Assert.Equal("RedisGatewayListProvider", client.Services.GetRequiredService<IGatewayListProvider>().GetType().Name);
        var server = Assert.IsType<System.Net.IPEndPoint>(Assert.Single(client.Services.GetRequiredService<IOptions<RedisClusteringOptions>>().Value.ConfigurationOptions!.EndPoints));
        Assert.Equal("10.0.0.10:6379", server.ToString());
        Assert.Equal(TimeSpan.FromSeconds(8), client.Services.GetRequiredService<IOptions<ClientMessagingOptions>>().Value.ResponseTimeout);
    }

    /// <summary>An Orleans client host as <c>run --cluster DIR</c> builds it from the settings (not started).</summary>
    private static IHost Client(ClusterClientSettings settings) => new HostBuilder()
        .UseOrleansClient(client => settings.UseClusteringOf(client.UseMigrationCluster(settings.ApplyTo)))
        .Build();

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
