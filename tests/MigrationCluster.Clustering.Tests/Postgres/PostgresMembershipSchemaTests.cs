using System.Net;
using System.Net.Sockets;
using System.Reflection;
using MigrationCluster.Hosting.Clustering.Postgres;
using Npgsql;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService;
using static MigrationCluster.Clustering.Tests.MembershipEntries;

namespace MigrationCluster.Clustering.Tests;

/// <summary>Our PostgreSQL schema: what the ADO.NET provider we run needs, applied safely and again.</summary>
public sealed class PostgresMembershipSchemaTests : IAsyncLifetime
{
    /// <summary>The one query the provider reads when present and does without otherwise.</summary>
    private const string OptionalCleanupKey = "CleanupDefunctSiloEntryKey";

    private readonly ProviderInstances _instances = new();
    private PostgresTestSchema? _schema;

    private PostgresTestSchema Schema => _schema ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync() => _schema = await PostgresTestServer.CreateSchemaAsync(apply: false);

    public async Task DisposeAsync()
    {
        await _instances.DisposeAsync();
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_script_stores_every_query_the_provider_in_the_build_requires_and_its_optional_cleanup()
    {
        await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);

        // The provider checks its required keys against its own internal properties, one per key:
        // read them from the assembly we run, so a package update that adds a key fails here.
        var storedQueries = typeof(AdoNetClusteringTable).Assembly.GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;
        var required = storedQueries.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Select(p => p.Name).Order().ToArray();
        Assert.Equal(
            ["CleanupDefunctSiloEntriesKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
             "MembershipReadAllKey", "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey"],
            required);
        Assert.Equal(required.Append(OptionalCleanupKey).Order(), await QueryKeysAsync());
    }

    [Fact]
    public async Task Applying_again_keeps_every_row_and_version_and_restores_the_query_texts()
    {
        await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);
        var table = await InitializedTableAsync("again");
        var entry = New(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var before = await table.ReadAllAsync();
        await Schema.ExecuteAsync("UPDATE OrleansQuery SET QueryText = 'SELECT broken' WHERE QueryKey = 'MembershipReadAllKey'");

        await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);

        var after = await (await InitializedTableAsync("again")).ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        AssertSameSilo(entry, Assert.Single(after.Members).Item1);
        Assert.Equal(10, await Schema.ScalarAsync<long>("SELECT count(*) FROM OrleansQuery"));
    }

    [Fact]
    public async Task Silos_applying_it_at_once_to_a_new_database_all_succeed()
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var applying = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(applying).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(10, (await QueryKeysAsync()).Length);
        var table = await InitializedTableAsync("after-race");
        Assert.Equal(0, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task Without_the_optional_per_row_query_the_bulk_cleanup_removes_the_same_rows()
    {
        await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);
        await Schema.ExecuteAsync($"DELETE FROM OrleansQuery WHERE QueryKey = '{OptionalCleanupKey}'");
        var table = await InitializedTableAsync("bulk-cleanup");
        var old = Now.AddDays(-10);
        var oldDead = New(SiloStatus.Dead, old);
        var oldActive = New(SiloStatus.Active, old);
        var oldJoining = New(SiloStatus.Joining, old);
        var startedRecently = New(SiloStatus.Dead, old);
        startedRecently.StartTime = Now;
        foreach (var entry in new[] { oldDead, oldActive, oldJoining, startedRecently })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddDays(-1)));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress.ToParsableString()).Order();
        Assert.Equal(new[] { oldActive, oldJoining, startedRecently }.Select(e => e.SiloAddress.ToParsableString()).Order(), left);
    }

    [Fact]
    public async Task Times_keep_microseconds_and_come_back_as_utc()
    {
        await PostgresMembershipSchema.ApplyAsync(Schema.ConnectionString);
        var table = await InitializedTableAsync("times");
        var entry = New(SiloStatus.Active);
        entry.StartTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234560);
        entry.IAmAliveTime = entry.StartTime.AddTicks(10);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));

        var stored = (await table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1;

        Assert.Equal(entry.StartTime, stored.StartTime);
        Assert.Equal(entry.IAmAliveTime, stored.IAmAliveTime);
        Assert.Equal(DateTimeKind.Utc, stored.IAmAliveTime.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Host=127.0.0.1;Password=hunter2;NoSuchKeyword=1")]
    [InlineData("Port=5432;Password=hunter2")]
    [InlineData("Host=127.0.0.1;Port=notaport;Password=hunter2")]
    [InlineData("Host=127.0.0.1;Password hunter2;Port=5432")]
    public async Task A_bad_connection_string_is_refused_in_one_line_that_does_not_repeat_it(string connectionString)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PostgresMembershipSchema.ApplyAsync(connectionString));

        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_an_npgsql_error()
    {
        var closedPort = FreePort();

        await Assert.ThrowsAnyAsync<NpgsqlException>(() =>
            PostgresMembershipSchema.ApplyAsync($"Host=127.0.0.1;Port={closedPort};Username=postgres;Timeout=3"));
    }

    [Fact]
    public async Task A_provider_over_a_database_without_the_schema_fails_at_initialization()
    {
        var table = CreateTable("no-schema");

        await Assert.ThrowsAnyAsync<PostgresException>(() => table.InitializeMembershipTableAsync(true));
    }

    private async Task<string[]> QueryKeysAsync()
    {
        await using var connection = await PostgresTestServer.OpenAsync(Schema.ConnectionString);
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }
        return [.. keys];
    }

    private IMembershipTable CreateTable(string clusterId) =>
        _instances.CreateTable("schema-tests", clusterId, silo => silo.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresMembershipSchema.Invariant;
            o.ConnectionString = Schema.ConnectionString;
        }));

    private async Task<IMembershipTable> InitializedTableAsync(string clusterId)
    {
        var table = CreateTable(clusterId);
        await table.InitializeMembershipTableAsync(true);
        return table;
    }

    private static void AssertSameSilo(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
