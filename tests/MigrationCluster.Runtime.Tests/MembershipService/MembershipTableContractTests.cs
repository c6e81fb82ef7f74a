using System.Net;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Tests.MembershipService;

/// <summary>
/// The membership table's contract, run against every provider. A subclass says how to build a
/// table for a cluster id on its (fresh, per-test) storage; every table it builds must see the
/// same storage, so that two cluster ids can be checked for isolation.
/// </summary>
public abstract class MembershipTableContractTests : IAsyncLifetime
{
    // Odd ticks and a non-UTC offset: the round trip must keep the instant exactly.
    private static readonly DateTimeOffset StartTime = new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.FromHours(2)).AddTicks(8979);

    protected string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    protected abstract Task<IMembershipTable> CreateTableAsync(string clusterId);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_new_table_has_version_zero_and_no_rows()
    {
        var table = await NewTableAsync();

        var data = await table.ReadAll();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task Initializing_again_keeps_rows_and_version()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));

        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var again = await CreateTableAsync(ClusterId);
        await again.InitializeMembershipTable(tryInitTableVersion: true);

        var data = await again.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task Insert_then_read_returns_every_field_and_bumps_the_version()
    {
        var table = await NewTableAsync();
        var suspecter = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 22222), 7);
        var entry = NewEntry(11111, SiloStatus.Joining);
        entry.SuspectTimes = [new SuspectTime(suspecter, StartTime.AddSeconds(3)), new SuspectTime(suspecter, StartTime.AddSeconds(9))];
        var before = (await table.ReadAll()).Version;

        Assert.True(await table.InsertRow(entry, before.Next()));

        var data = await table.ReadAll();
        Assert.Equal(before.Version + 1, data.Version.Version);
        var (read, etag) = Assert.Single(data.Members);
        Assert.False(string.IsNullOrEmpty(etag));
        AssertSameEntry(entry, read);
    }

    [Fact]
    public async Task Inserting_the_same_silo_twice_is_refused_and_leaves_the_version()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var version = (await table.ReadAll()).Version;

        var duplicate = NewEntry(11111, SiloStatus.Active, entry.SiloAddress.Generation);
        duplicate.SiloName = "impostor";
        Assert.False(await table.InsertRow(duplicate, version.Next()));

        var data = await table.ReadAll();
        Assert.Equal(version, data.Version);
        Assert.Equal(entry.SiloName, Assert.Single(data.Members).Entry.SiloName);
    }

    [Fact]
    public async Task Insert_with_a_stale_version_is_refused()
    {
        var table = await NewTableAsync();
        var stale = (await table.ReadAll()).Version;
        Assert.True(await table.InsertRow(NewEntry(11111), stale.Next()));

        Assert.False(await table.InsertRow(NewEntry(11112), stale.Next()));
        Assert.False(await table.InsertRow(NewEntry(11113), stale), "a version that is not the next one is refused");

        Assert.Single((await table.ReadAll()).Members);
    }

    [Fact]
    public async Task ReadRow_returns_only_that_silo_and_the_table_version()
    {
        var table = await NewTableAsync();
        var first = NewEntry(11111);
        var second = NewEntry(11112);
        Assert.True(await table.InsertRow(first, (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(second, (await table.ReadAll()).Version.Next()));

        var row = await table.ReadRow(second.SiloAddress);
        var missing = await table.ReadRow(NewEntry(19999).SiloAddress);

        Assert.Equal(second.SiloAddress, Assert.Single(row.Members).Entry.SiloAddress);
        Assert.Equal(2, row.Version.Version);
        Assert.Empty(missing.Members);
        Assert.Equal(2, missing.Version.Version);
    }

    [Fact]
    public async Task Update_with_the_current_etag_and_version_succeeds_and_changes_the_etag()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var data = await table.ReadAll();
        var (read, etag) = Assert.Single(data.Members);

        read.Status = SiloStatus.Active;
        read.SuspectTimes.Add(new SuspectTime(NewEntry(3333).SiloAddress, StartTime));
        Assert.True(await table.UpdateRow(read, etag, data.Version.Next()));

        var after = await table.ReadAll();
        var (updated, newEtag) = Assert.Single(after.Members);
        Assert.Equal(data.Version.Version + 1, after.Version.Version);
        Assert.NotEqual(etag, newEtag);
        AssertSameEntry(read, updated);
    }

    [Fact]
    public async Task Update_with_a_stale_etag_is_refused()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var (_, oldEtag) = Assert.Single((await table.ReadAll()).Members);
        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRow(entry, oldEtag, (await table.ReadAll()).Version.Next()));

        // Current version, but the etag read before somebody else's update.
        entry.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRow(entry, oldEtag, (await table.ReadAll()).Version.Next()));

        Assert.Equal(SiloStatus.Active, Assert.Single((await table.ReadAll()).Members).Entry.Status);
    }

    [Fact]
    public async Task Update_with_a_stale_table_version_is_refused()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var data = await table.ReadAll();
        var (_, etag) = Assert.Single(data.Members);
        // Another silo joins: the row's etag is still current, the table version is not.
        Assert.True(await table.InsertRow(NewEntry(11112), data.Version.Next()));

        entry.Status = SiloStatus.Active;
        Assert.False(await table.UpdateRow(entry, etag, data.Version.Next()));

        var after = await table.ReadAll();
        Assert.Equal(SiloStatus.Joining, after.TryGet(entry.SiloAddress)!.Value.Entry.Status);
        Assert.Equal(data.Version.Version + 1, after.Version.Version);
    }

    [Fact]
    public async Task Update_of_a_missing_row_is_refused()
    {
        var table = await NewTableAsync();
        var version = (await table.ReadAll()).Version;

        Assert.False(await table.UpdateRow(NewEntry(11111), "0", version.Next()));

        Assert.Equal(version, (await table.ReadAll()).Version);
    }

    [Fact]
    public async Task Concurrent_updates_from_the_same_read_have_exactly_one_winner_per_version()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        const int writers = 6;
        const int rounds = 4;

        for (var round = 0; round < rounds; round++)
        {
            var data = await table.ReadAll();
            var (read, etag) = Assert.Single(data.Members);
            using var start = new ManualResetEventSlim();
            var attempts = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
            {
                start.Wait();
                var mine = read.Clone();
                mine.SiloName = $"round {round} writer {writer}";
                return (writer, won: await table.UpdateRow(mine, etag, data.Version.Next()));
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, r => r.won);
            var after = await table.ReadAll();
            Assert.Equal(data.Version.Version + 1, after.Version.Version);
            Assert.Equal($"round {round} writer {winner.writer}", Assert.Single(after.Members).Entry.SiloName);
        }
    }

    [Fact]
    public async Task Concurrent_inserts_from_the_same_read_have_exactly_one_winner()
    {
        var table = await NewTableAsync();
        var version = (await table.ReadAll()).Version;
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var entry = NewEntry(12000 + i);
            return (entry.SiloAddress, won: await table.InsertRow(entry, version.Next()));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.won);
        var data = await table.ReadAll();
        Assert.Equal(winner.SiloAddress, Assert.Single(data.Members).Entry.SiloAddress);
        Assert.Equal(version.Version + 1, data.Version.Version);
    }

    [Fact]
    public async Task IAmAlive_updates_the_time_without_bumping_the_version_or_the_etag()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Active);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var data = await table.ReadAll();
        var (_, etag) = Assert.Single(data.Members);

        var alive = entry.Clone();
        alive.IAmAliveTime = StartTime.AddMinutes(5).AddTicks(3);
        alive.Status = SiloStatus.Dead; // only the time may be written
        await table.UpdateIAmAlive(alive);

        var after = await table.ReadAll();
        var (read, etagAfter) = Assert.Single(after.Members);
        Assert.Equal(data.Version, after.Version);
        Assert.Equal(etag, etagAfter);
        Assert.Equal(alive.IAmAliveTime, read.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, read.Status);

        // A writer that read before the heartbeat still wins its compare-and-swap.
        read.Status = SiloStatus.ShuttingDown;
        Assert.True(await table.UpdateRow(read, etag, data.Version.Next()));
    }

    [Fact]
    public async Task IAmAlive_for_a_silo_without_a_row_throws()
    {
        var table = await NewTableAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => table.UpdateIAmAlive(NewEntry(11111)));
    }

    [Fact]
    public async Task Cleanup_removes_old_rows_of_silos_that_are_not_active()
    {
        var table = await NewTableAsync();
        var cutoff = StartTime.AddHours(1);
        var oldDead = NewEntry(11111, SiloStatus.Dead, aliveAt: cutoff.AddMinutes(-10));
        var oldJoining = NewEntry(11112, SiloStatus.Joining, aliveAt: cutoff.AddMinutes(-10));
        var oldActive = NewEntry(11113, SiloStatus.Active, aliveAt: cutoff.AddMinutes(-10));
        var recentDead = NewEntry(11114, SiloStatus.Dead, aliveAt: cutoff.AddMinutes(10));
        foreach (var entry in (MembershipEntry[])[oldDead, oldJoining, oldActive, recentDead])
        {
            Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        }

        var before = (await table.ReadAll()).Version;

        await table.CleanupDefunctSiloEntries(cutoff);

        var data = await table.ReadAll();
        Assert.Equal(
            new[] { oldActive.SiloAddress, recentDead.SiloAddress }.Select(a => a.ToString()).Order(),
            data.Members.Select(m => m.Entry.SiloAddress.ToString()).Order());
        Assert.True(data.Version.Version > before.Version, "removing rows changes membership, so the version moves");

        // Nothing left to clean: the version stays.
        await table.CleanupDefunctSiloEntries(cutoff);
        Assert.Equal(data.Version, (await table.ReadAll()).Version);
    }

    [Fact]
    public async Task Two_cluster_ids_on_the_same_storage_are_isolated()
    {
        var mine = await NewTableAsync();
        var otherId = ClusterId + "-other";
        var other = await CreateTableAsync(otherId);
        await other.InitializeMembershipTable(tryInitTableVersion: true);
        var entry = NewEntry(11111);

        Assert.True(await mine.InsertRow(entry, (await mine.ReadAll()).Version.Next()));
        Assert.True(await mine.InsertRow(NewEntry(11112), (await mine.ReadAll()).Version.Next()));
        // The same silo address may appear in another cluster.
        Assert.True(await other.InsertRow(entry, (await other.ReadAll()).Version.Next()));

        Assert.Equal(2, (await mine.ReadAll()).Version.Version);
        Assert.Equal(2, (await mine.ReadAll()).Members.Count);
        Assert.Equal(1, (await other.ReadAll()).Version.Version);
        Assert.Single((await other.ReadAll()).Members);

        await mine.DeleteMembershipTableEntries(ClusterId);

        await Assert.ThrowsAsync<InvalidOperationException>(() => mine.ReadAll());
        Assert.Single((await other.ReadAll()).Members);
        await mine.InitializeMembershipTable(tryInitTableVersion: true);
        var fresh = await mine.ReadAll();
        Assert.Empty(fresh.Members);
        Assert.Equal(0, fresh.Version.Version);
    }

    protected async Task<IMembershipTable> NewTableAsync()
    {
        var table = await CreateTableAsync(ClusterId);
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        return table;
    }

    protected static MembershipEntry NewEntry(int port, SiloStatus status = SiloStatus.Active, int? generation = null, DateTimeOffset? aliveAt = null) => new()
    {
        SiloAddress = new SiloAddress(new IPEndPoint(IPAddress.Loopback, port), generation ?? Random.Shared.Next(1, int.MaxValue)),
        Status = status,
        SiloName = $"silo-{port}",
        HostName = "host-" + port,
        ProcessId = 4000 + port,
        ProxyPort = port + 1000,
        StartTime = StartTime,
        IAmAliveTime = aliveAt ?? StartTime.AddSeconds(1),
    };

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.ProcessId, actual.ProcessId);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.IAmAliveTime, actual.IAmAliveTime);
        Assert.Equal(expected.SuspectTimes, actual.SuspectTimes);
    }
}
