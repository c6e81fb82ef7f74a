using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Tests;

public sealed class SqliteClusteringOptionsTests
{
    [Fact]
    public void Defaults_are_the_named_constants()
    {
        var options = new SqliteClusteringOptions();

        Assert.Null(options.FilePath);
        Assert.Equal(TimeSpan.FromMilliseconds(SqliteClusteringOptions.DefaultBusyTimeoutMilliseconds), options.BusyTimeout);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_file_path_fails_validation_with_one_line_naming_the_option(string? path)
    {
        var validator = new SqliteClusteringOptionsValidator(Options.Create(new SqliteClusteringOptions { FilePath = path }));

        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains("SqliteClusteringOptions.FilePath", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_busy_timeout_that_is_not_positive_fails_validation_naming_the_option(int milliseconds)
    {
        var validator = new SqliteClusteringOptionsValidator(Options.Create(
            new SqliteClusteringOptions { FilePath = "membership.db", BusyTimeout = TimeSpan.FromMilliseconds(milliseconds) }));

        var error = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains("SqliteClusteringOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass_validation()
    {
        new SqliteClusteringOptionsValidator(Options.Create(new SqliteClusteringOptions { FilePath = "membership.db" })).ValidateConfiguration();
    }

    [Fact]
    public void The_silo_extension_registers_the_membership_table_the_options_and_the_validator()
    {
        using var host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseSqliteClustering(options => options.FilePath = "silo.db")
                .Configure<Orleans.Configuration.ClusterOptions>(o => o.ClusterId = "c"))
            .Build();

        Assert.IsType<SqliteMembershipTable>(host.Services.GetRequiredService<IMembershipTable>());
        Assert.Equal("silo.db", host.Services.GetRequiredService<IOptions<SqliteClusteringOptions>>().Value.FilePath);
        Assert.Contains(host.Services.GetServices<IConfigurationValidator>(), v => v is SqliteClusteringOptionsValidator);
    }

    [Fact]
    public void The_client_extension_registers_the_gateway_list_provider_the_options_and_the_validator()
    {
        using var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseSqliteClustering(options => options.Configure(o => o.FilePath = "client.db"))
                .Configure<Orleans.Configuration.ClusterOptions>(o => o.ClusterId = "c"))
            .Build();

        Assert.IsType<SqliteGatewayListProvider>(host.Services.GetRequiredService<IGatewayListProvider>());
        Assert.Equal("client.db", host.Services.GetRequiredService<IOptions<SqliteClusteringOptions>>().Value.FilePath);
        Assert.Contains(host.Services.GetServices<IConfigurationValidator>(), v => v is SqliteClusteringOptionsValidator);
    }

    [Theory]
    [InlineData("FilePath", "cluster.db")]
    [InlineData("ConnectionString", "Data Source=cluster.db;Cache=Shared")]
    [InlineData("ConnectionName", "membership")]
    public void Configuration_picks_the_provider_for_a_silo_and_a_client_with_the_file_in_its_section(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = "c",
            ["Orleans:Clustering:ProviderType"] = "Sqlite",
            ["Orleans:Clustering:BusyTimeout"] = "00:00:07",
            [$"Orleans:Clustering:{key}"] = value,
            ["ConnectionStrings:membership"] = "Data Source=cluster.db",
        };
        using var silo = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .UseOrleans(_ => { })
            .Build();
        using var client = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings))
            .UseOrleansClient(_ => { })
            .Build();

        Assert.IsType<SqliteMembershipTable>(silo.Services.GetRequiredService<IMembershipTable>());
        Assert.IsType<SqliteGatewayListProvider>(client.Services.GetRequiredService<IGatewayListProvider>());
        foreach (var host in new[] { silo, client })
        {
            var options = host.Services.GetRequiredService<IOptions<SqliteClusteringOptions>>().Value;
            Assert.Equal("cluster.db", options.FilePath);
            Assert.Equal(TimeSpan.FromSeconds(7), options.BusyTimeout);
            Assert.Contains(host.Services.GetServices<IConfigurationValidator>(), v => v is SqliteClusteringOptionsValidator);
        }
    }

    [Fact]
    public async Task A_silo_without_a_file_path_refuses_to_start_and_names_the_option()
    {
        using var host = new HostBuilder()
            .UseOrleans(silo => silo
                .UseSqliteClustering((SqliteClusteringOptions _) => { })
                .Configure<Orleans.Configuration.ClusterOptions>(o => o.ClusterId = "c"))
            .Build();

        var error = await Assert.ThrowsAsync<OrleansConfigurationException>(() => host.StartAsync());

        Assert.Contains("SqliteClusteringOptions.FilePath", error.Message, StringComparison.Ordinal);
    }
}
