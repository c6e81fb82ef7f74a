using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using static MigrationCluster.Clustering.Tests.MembershipEntries;

namespace MigrationCluster.Clustering.Tests;

/// <summary>The contract suite against the SQLite provider, each test on a file of its own, plus what only SQLite promises.</summary>
public sealed class SqliteMembershipTableTests : MembershipTableContractTests
{
    private readonly TempSqliteFile _file = new();

    // Our own provider keeps whole entries, an etag per row, and cleans up every old inactive row.
    protected override MembershipTableTraits Traits => MembershipTableTraits.All;

    protected override IMembershipTable CreateTable(string clusterId) => CreateTable(_file.Path, clusterId);

    protected override IGatewayListProvider CreateGatewayListProvider(string clusterId, TimeSpan refreshPeriod) =>
        new SqliteGatewayListProvider(
            Options.Create(new SqliteClusteringOptions { FilePath = _file.Path }),
            Options.Create(new ClusterOptions { ClusterId = clusterId }),
            Options.Create(new GatewayOptions { GatewayListRefreshPeriod = refreshPeriod }));

    internal static SqliteMembershipTable CreateTable(string filePath, string clusterId, TimeSpan? busyTimeout = null) =>
        new(
            Options.Create(new SqliteClusteringOptions
            {
                FilePath = filePath,
                BusyTimeout = busyTimeout ?? TimeSpan.FromMilliseconds(SqliteClusteringOptions.DefaultBusyTimeoutMilliseconds),
            }),
            Options.Create(new ClusterOptions { ClusterId = clusterId }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _file.Dispose();
    }

    [Fact]
    public async Task Times_round_trip_to_the_tick()
    {
        var entry = New(SiloStatus.Active);
        entry.StartTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);
        entry.IAmAliveTime = entry.StartTime.AddTicks(1);
        entry.SuspectTimes = [Tuple.Create(NewSiloAddress(), entry.StartTime.AddTicks(7))];
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));

        var stored = (await Table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1;

        Assert.Equal(entry.StartTime.Ticks, stored.StartTime.Ticks);
        Assert.Equal(entry.IAmAliveTime.Ticks, stored.IAmAliveTime.Ticks);
        Assert.Equal(entry.SuspectTimes[0].Item2.Ticks, stored.SuspectTimes![0].Item2.Ticks);
        Assert.Equal(DateTimeKind.Utc, stored.IAmAliveTime.Kind);
    }

    [Fact]
    public async Task A_null_suspect_list_stays_null_and_an_empty_one_stays_empty()
    {
        var withNull = New();
        withNull.SuspectTimes = null;
        var withEmpty = New();
        Assert.True(await Table.InsertRowAsync(withNull, (await Table.ReadAllAsync()).Version.Next()));
        Assert.True(await Table.InsertRowAsync(withEmpty, (await Table.ReadAllAsync()).Version.Next()));

        Assert.Null((await Table.ReadRowAsync(withNull.SiloAddress)).Members[0].Item1.SuspectTimes);
        Assert.Empty((await Table.ReadRowAsync(withEmpty.SiloAddress)).Members[0].Item1.SuspectTimes!);
    }

    [Fact]
    public async Task UpdateIAmAlive_keeps_the_row_etag_so_the_silos_next_write_still_matches()
    {
        var entry = New(SiloStatus.Joining);
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var read = await Table.ReadRowAsync(entry.SiloAddress);

        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Now.AddSeconds(9) });

        Assert.Equal(read.Members[0].Item2, (await Table.ReadRowAsync(entry.SiloAddress)).Members[0].Item2);
        entry.Status = SiloStatus.Active;
        Assert.True(await Table.UpdateRowAsync(entry, read.Members[0].Item2, read.Version.Next()));
    }

    [Fact]
    public async Task UpdateIAmAlive_of_a_silo_without_a_row_does_nothing()
    {
        var before = await Table.ReadAllAsync();

        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = NewSiloAddress(), IAmAliveTime = Now });

        var after = await Table.ReadAllAsync();
        Assert.Empty(after.Members);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task ReadAll_of_a_cluster_that_was_never_initialized_says_what_to_call()
    {
        var table = CreateTable(_file.Path, "never-initialized");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.ReadAllAsync());

        Assert.Contains("never-initialized", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IMembershipTable.InitializeMembershipTableAsync), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_counts_a_recent_start_or_a_recent_death_vote_as_an_update()
    {
        var old = Now.AddDays(-10);
        var startedRecently = New(SiloStatus.Joining, old);
        startedRecently.StartTime = Now;
        var declaredDeadRecently = New(SiloStatus.Dead, old);
        declaredDeadRecently.StartTime = old;
        declaredDeadRecently.SuspectTimes = [Tuple.Create(NewSiloAddress(), old), Tuple.Create(NewSiloAddress(), Now)];
        var defunct = New(SiloStatus.Dead, old);
        defunct.StartTime = old;
        defunct.SuspectTimes = [Tuple.Create(NewSiloAddress(), old.AddHours(1))];
        var version = (await Table.ReadAllAsync()).Version;
        foreach (var entry in new[] { startedRecently, declaredDeadRecently, defunct })
        {
            Assert.True(await Table.InsertRowAsync(entry, version.Next()));
            version = (await Table.ReadAllAsync()).Version;
        }

        await Table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddDays(-1)));

        var left = await Table.ReadAllAsync();
        Assert.Equal(2, left.Members.Count);
        Assert.Null(left.TryGet(defunct.SiloAddress));
        Assert.Equal(version, left.Version);
    }

    [Fact]
    public async Task Many_instances_creating_the_schema_of_a_new_file_at_once_all_succeed_and_leave_it_in_WAL_mode()
    {
        using var fresh = new TempSqliteFile();
        var tables = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateTable(fresh.Path, ClusterId)).ToArray();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var initializing = tables.Select(table => Task.Run(async () =>
        {
            await start.Task;
            await table.InitializeMembershipTableAsync(true);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(initializing).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single((await Task.WhenAll(tables.Select(t => t.ReadAllAsync()))).Select(d => d.Version).Distinct());
        using var connection = new SqliteConnection($"Data Source={fresh.Path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public async Task A_write_transaction_holds_the_file_lock_from_its_first_statement()
    {
        var database = new SqliteMembershipDatabase(new SqliteClusteringOptions { FilePath = _file.Path, BusyTimeout = TimeSpan.FromMilliseconds(50) });
        using var first = database.Open();
        using var second = database.Open();

        // BEGIN IMMEDIATE takes the lock before anything is read: a second writer cannot even
        // begin. A deferred BEGIN would let both begin, read the same version, and race.
        using var held = SqliteMembershipDatabase.BeginWrite(first);
        var error = Assert.Throws<SqliteException>(() => SqliteMembershipDatabase.BeginWrite(second));
        Assert.Equal(5 /* SQLITE_BUSY */, error.SqliteErrorCode);

        // Readers are not blocked by the writer (WAL).
        Assert.Equal(0, (await Table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task A_writer_waits_for_another_writers_lock_within_the_busy_timeout()
    {
        var database = new SqliteMembershipDatabase(new SqliteClusteringOptions { FilePath = _file.Path });
        var entry = New();
        var version = (await Table.ReadAllAsync()).Version;
        Task<bool> insert;
        using (var holder = database.Open())
        using (var held = SqliteMembershipDatabase.BeginWrite(holder))
        {
            insert = Table.InsertRowAsync(entry, version.Next());
            await Task.Delay(300);
            Assert.False(insert.IsCompleted, "the insert should wait for the lock");
            held.Rollback();
        }

        Assert.True(await insert.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_write_cancelled_while_it_waits_for_the_lock_rolls_back_and_has_no_effect()
    {
        var database = new SqliteMembershipDatabase(new SqliteClusteringOptions { FilePath = _file.Path });
        var before = await Table.ReadAllAsync();
        var entry = New();
        using var cancellation = new CancellationTokenSource();
        Task<bool> insert;
        using (var holder = database.Open())
        using (var held = SqliteMembershipDatabase.BeginWrite(holder))
        {
            insert = Table.InsertRowAsync(entry, before.Version.Next(), cancellation.Token);
            await Task.Delay(200);
            await cancellation.CancelAsync();
            held.Rollback();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => insert.WaitAsync(TimeSpan.FromSeconds(10)));
        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Empty(after.Members);
    }

    [Fact]
    public async Task An_operation_with_a_cancelled_token_does_not_start()
    {
        var before = await Table.ReadAllAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Table.InsertRowAsync(New(), before.Version.Next(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Table.DeleteMembershipTableEntriesAsync(ClusterId, cancelled.Token));

        Assert.Equal(before.Version, (await Table.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task The_token_less_members_Orleans_still_declares_do_the_same_operations()
    {
#pragma warning disable CS0618 // Orleans 10 marks them obsolete; its older callers still use them.
        IMembershipTable table = CreateTable(_file.Path, ClusterId + "-legacy");
        await table.InitializeMembershipTable(true);
        var entry = New(SiloStatus.Active, Now.AddDays(-30));
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var read = await table.ReadRow(entry.SiloAddress);
        entry.Status = SiloStatus.Dead;
        Assert.True(await table.UpdateRow(entry, read.Members[0].Item2, read.Version.Next()));
        await table.UpdateIAmAlive(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = Now.AddDays(-20) });
        Assert.Equal(Now.AddDays(-20), (await table.ReadRow(entry.SiloAddress)).Members[0].Item1.IAmAliveTime);
        IGatewayListProvider gateways = CreateGatewayListProvider(ClusterId + "-legacy", TimeSpan.FromSeconds(1));
        await gateways.InitializeGatewayListProvider();
        Assert.Empty(await gateways.GetGateways());
        Assert.True(gateways.IsUpdatable);
        await table.CleanupDefunctSiloEntries(new DateTimeOffset(Now));
        Assert.Empty((await table.ReadAll()).Members);
        await table.DeleteMembershipTableEntries(ClusterId + "-legacy");
        await Assert.ThrowsAsync<InvalidOperationException>(() => table.ReadAll());
#pragma warning restore CS0618
    }

    [Fact]
    public async Task A_client_that_starts_before_any_silo_creates_the_schema_and_finds_no_gateways()
    {
        using var fresh = new TempSqliteFile();
        var provider = new SqliteGatewayListProvider(
            Options.Create(new SqliteClusteringOptions { FilePath = fresh.Path }),
            Options.Create(new ClusterOptions { ClusterId = ClusterId }),
            Options.Create(new GatewayOptions()));

        await provider.InitializeGatewayListProviderAsync();

        Assert.Empty(await provider.GetGatewaysAsync());
        var silo = CreateTable(fresh.Path, ClusterId);
        await silo.InitializeMembershipTableAsync(true);
        var gateway = New(SiloStatus.Active);
        Assert.True(await silo.InsertRowAsync(gateway, (await silo.ReadAllAsync()).Version.Next()));
        Assert.Single(await provider.GetGatewaysAsync());
    }
}
