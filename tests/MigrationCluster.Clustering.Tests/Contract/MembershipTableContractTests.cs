using System.Collections.Concurrent;
using System.Net;
using Orleans;
using Orleans.Messaging;
using Orleans.Runtime;
using static MigrationCluster.Clustering.Tests.MembershipEntries;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// What Orleans' <see cref="IMembershipTable"/> contract asks of any provider, written once:
/// derive from it with a factory for the provider under test (SQLite, PostgreSQL through Orleans'
/// ADO.NET provider, Redis) and every fact runs against it; <see cref="Traits"/> says which
/// promises beyond the protocol's needs the provider makes. Each test instance has a cluster id
/// of its own, so providers over a shared server need no cleanup between tests beyond
/// <see cref="DisposeAsync"/>.
/// </summary>
public abstract class MembershipTableContractTests : IAsyncLifetime
{
    protected MembershipTableContractTests()
    {
        ClusterId = "contract-" + Guid.NewGuid().ToString("N");
    }

    protected string ClusterId { get; }

    /// <summary>The table every test starts from: initialized, with this test's cluster id.</summary>
    protected IMembershipTable Table { get; private set; } = null!;

    /// <summary>What the provider promises beyond what Orleans' membership protocol relies on.</summary>
    protected abstract MembershipTableTraits Traits { get; }

    /// <summary>How many independent table instances race in the concurrency tests.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>A new, uninitialized table instance over the same store (its own connections).</summary>
    protected abstract IMembershipTable CreateTable(string clusterId);

    /// <summary>A new gateway list provider over the same store, uninitialized.</summary>
    protected abstract IGatewayListProvider CreateGatewayListProvider(string clusterId, TimeSpan refreshPeriod);

    public virtual async Task InitializeAsync()
    {
        Table = CreateTable(ClusterId);
        await Table.InitializeMembershipTableAsync(true);
    }

    public virtual async Task DisposeAsync()
    {
        // Null when InitializeAsync failed (e.g. no server): let its failure be the one reported.
        if (Table is not null)
        {
            await Table.DeleteMembershipTableEntriesAsync(ClusterId);
        }
    }

    [Fact]
    public async Task ReadAll_of_a_new_table_has_no_rows_and_version_zero()
    {
        var data = await Table.ReadAllAsync();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.False(string.IsNullOrEmpty(data.Version.VersionEtag));
    }

    [Fact]
    public async Task Initializing_again_keeps_rows_and_version()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var before = await Table.ReadAllAsync();

        await Table.InitializeMembershipTableAsync(true);
        var again = CreateTable(ClusterId);
        await again.InitializeMembershipTableAsync(true);

        var after = await again.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var row = Assert.Single(after.Members);
        AssertSame(Inserted(entry), row.Item1);
        Assert.Equal(before.Members[0].Item2, row.Item2);
    }

    [Fact]
    public async Task ReadRow_of_an_unknown_silo_has_no_rows_but_the_table_version()
    {
        Assert.True(await Table.InsertRowAsync(New(), (await Table.ReadAllAsync()).Version.Next()));
        var all = await Table.ReadAllAsync();

        var data = await Table.ReadRowAsync(NewSiloAddress());

        Assert.Empty(data.Members);
        Assert.Equal(all.Version, data.Version);
    }

    [Fact]
    public async Task InsertRow_adds_the_row_with_an_etag_and_moves_the_version_and_its_etag()
    {
        var empty = await Table.ReadAllAsync();
        var entry = New(SiloStatus.Active);
        entry.SuspectTimes = [Tuple.Create(NewSiloAddress(), Now.AddSeconds(-5))];

        Assert.True(await Table.InsertRowAsync(entry, empty.Version.Next()));

        var all = await Table.ReadAllAsync();
        Assert.Equal(1, all.Version.Version);
        Assert.NotEqual(empty.Version.VersionEtag, all.Version.VersionEtag);
        var (stored, etag) = Assert.Single(all.Members);
        AssertSame(Inserted(entry), stored);
        Assert.False(string.IsNullOrEmpty(etag));

        var one = await Table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(all.Version, one.Version);
        var (storedOne, etagOne) = Assert.Single(one.Members);
        AssertSame(Inserted(entry), storedOne);
        Assert.Equal(etag, etagOne);
    }

    [Fact]
    public async Task InsertRow_of_a_silo_already_in_the_table_fails_and_changes_nothing()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var before = await Table.ReadAllAsync();

        var duplicate = New(SiloStatus.Active);
        duplicate.SiloAddress = entry.SiloAddress;
        Assert.False(await Table.InsertRowAsync(duplicate, before.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var (stored, etag) = Assert.Single(after.Members);
        AssertSame(Inserted(entry), stored);
        Assert.Equal(before.Members[0].Item2, etag);
    }

    [Fact]
    public async Task InsertRow_with_a_stale_table_version_fails_and_changes_nothing()
    {
        var stale = (await Table.ReadAllAsync()).Version;
        Assert.True(await Table.InsertRowAsync(New(), stale.Next()));
        var before = await Table.ReadAllAsync();

        var late = New();
        Assert.False(await Table.InsertRowAsync(late, stale.Next()));
        Assert.False(await Table.InsertRowAsync(late, new TableVersion(before.Version.Version + 1, stale.VersionEtag)));

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Single(after.Members);
        Assert.Empty((await Table.ReadRowAsync(late.SiloAddress)).Members);
    }

    [Fact]
    public async Task UpdateRow_with_a_stale_row_etag_fails_and_changes_nothing()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var first = await Table.ReadRowAsync(entry.SiloAddress);
        var staleEtag = first.Members[0].Item2;
        entry.Status = SiloStatus.Active;
        Assert.True(await Table.UpdateRowAsync(entry, staleEtag, first.Version.Next()));
        var before = await Table.ReadRowAsync(entry.SiloAddress);

        var change = New(SiloStatus.Dead);
        change.SiloAddress = entry.SiloAddress;
        Assert.False(await Table.UpdateRowAsync(change, staleEtag, before.Version.Next()));

        var after = await Table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(before.Version, after.Version);
        AssertSame(Updated(entry, Inserted(entry)), after.Members[0].Item1);
        Assert.Equal(before.Members[0].Item2, after.Members[0].Item2);
    }

    [Fact]
    public async Task UpdateRow_with_a_stale_table_version_fails_and_changes_nothing()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var read = await Table.ReadRowAsync(entry.SiloAddress);
        // Another silo writes in between: the row's etag stays fresh, the table version does not.
        Assert.True(await Table.InsertRowAsync(New(), read.Version.Next()));
        var before = await Table.ReadAllAsync();

        var change = New(SiloStatus.Active);
        change.SiloAddress = entry.SiloAddress;
        Assert.False(await Table.UpdateRowAsync(change, read.Members[0].Item2, read.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var row = after.TryGet(entry.SiloAddress)!;
        AssertSame(Inserted(entry), row.Item1);
        Assert.Equal(before.TryGet(entry.SiloAddress)!.Item2, row.Item2);
        if (Has(MembershipTableTraits.PerRowEtags))
        {
            Assert.Equal(read.Members[0].Item2, row.Item2);
        }
    }

    [Fact]
    public async Task UpdateRow_with_fresh_etags_replaces_the_entry_and_moves_both_etags_and_the_version()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var before = await Table.ReadRowAsync(entry.SiloAddress);

        var replacement = New(SiloStatus.Active, Now.AddMinutes(5));
        replacement.SiloAddress = entry.SiloAddress;
        replacement.RoleName = null;
        replacement.SuspectTimes = [Tuple.Create(NewSiloAddress(), Now.AddMinutes(4))];
        Assert.True(await Table.UpdateRowAsync(replacement, before.Members[0].Item2, before.Version.Next()));

        var after = await Table.ReadRowAsync(entry.SiloAddress);
        Assert.Equal(before.Version.Version + 1, after.Version.Version);
        Assert.NotEqual(before.Version.VersionEtag, after.Version.VersionEtag);
        AssertSame(Updated(replacement, Inserted(entry)), after.Members[0].Item1);

        Assert.NotEqual(before.Members[0].Item2, after.Members[0].Item2);

        // The etag it replaced is now stale: the same write again must fail, even with the current version.
        Assert.False(await Table.UpdateRowAsync(replacement, before.Members[0].Item2, before.Version.Next()));
        Assert.False(await Table.UpdateRowAsync(replacement, before.Members[0].Item2, after.Version.Next()));
    }

    [Fact]
    public async Task UpdateRow_of_a_silo_not_in_the_table_fails_and_leaves_the_version()
    {
        var entry = New();
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var before = await Table.ReadAllAsync();

        Assert.False(await Table.UpdateRowAsync(New(), before.Members[0].Item2, before.Version.Next()));

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Single(after.Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_changes_only_the_alive_time()
    {
        var entry = New(SiloStatus.Active);
        entry.SuspectTimes = [Tuple.Create(NewSiloAddress(), Now.AddSeconds(-3))];
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        var before = await Table.ReadAllAsync();

        // As Orleans calls it: only the address and the time are set.
        var alive = Now.AddSeconds(42);
        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive });

        var after = await Table.ReadAllAsync();
        Assert.Equal(before.Version, after.Version);
        var stored = Assert.Single(after.Members).Item1;
        var expected = Inserted(entry);
        expected.IAmAliveTime = alive;
        AssertSame(expected, stored);
    }

    [Fact]
    public async Task Suspect_times_round_trip_in_order_through_insert_and_update()
    {
        var entry = New(SiloStatus.Active);
        var (first, second, third) = (NewSiloAddress(2001), NewSiloAddress(2002), NewSiloAddress(2003));
        entry.SuspectTimes = [Tuple.Create(second, Now.AddSeconds(2)), Tuple.Create(first, Now.AddSeconds(1))];
        Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));

        var read = await Table.ReadRowAsync(entry.SiloAddress);
        AssertSameVotes(Inserted(entry).SuspectTimes!, read.Members[0].Item1.SuspectTimes ?? []);

        var updated = read.Members[0].Item1;
        updated.SuspectTimes = [.. entry.SuspectTimes];
        updated.AddOrUpdateSuspector(third, Now.AddSeconds(3), maxVotes: 10);
        updated.AddOrUpdateSuspector(first, Now.AddSeconds(4), maxVotes: 10);
        Assert.True(await Table.UpdateRowAsync(updated, read.Members[0].Item2, read.Version.Next()));

        var votes = (await Table.ReadRowAsync(entry.SiloAddress)).Members[0].Item1.SuspectTimes!;
        AssertSameVotes(
            [Tuple.Create(second, Now.AddSeconds(2)), Tuple.Create(first, Now.AddSeconds(4)), Tuple.Create(third, Now.AddSeconds(3))],
            votes);
    }

    [Fact]
    public async Task Clusters_sharing_a_store_do_not_see_each_others_rows_or_versions()
    {
        var otherId = ClusterId + "-other";
        var other = CreateTable(otherId);
        await other.InitializeMembershipTableAsync(true);
        try
        {
            var entry = New(SiloStatus.Active);
            var mine = (await Table.ReadAllAsync()).Version;
            Assert.True(await Table.InsertRowAsync(entry, mine.Next()));
            var theirs = await other.ReadAllAsync();

            Assert.Empty(theirs.Members);
            Assert.Equal(0, theirs.Version.Version);
            Assert.Empty((await other.ReadRowAsync(entry.SiloAddress)).Members);
            // The same silo address may have a row in each cluster.
            Assert.True(await other.InsertRowAsync(entry, theirs.Version.Next()));
            Assert.Equal(1, (await Table.ReadAllAsync()).Version.Version);

            await other.DeleteMembershipTableEntriesAsync(otherId);
            var left = await Table.ReadAllAsync();
            Assert.Equal(1, left.Version.Version);
            AssertSame(Inserted(entry), Assert.Single(left.Members).Item1);
        }
        finally
        {
            await other.DeleteMembershipTableEntriesAsync(otherId);
        }
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_removes_the_cluster_and_initialization_starts_it_afresh()
    {
        var version = (await Table.ReadAllAsync()).Version;
        foreach (var entry in new[] { New(), New(SiloStatus.Active), New(SiloStatus.Dead) })
        {
            Assert.True(await Table.InsertRowAsync(entry, version.Next()));
            version = (await Table.ReadAllAsync()).Version;
        }

        await Table.DeleteMembershipTableEntriesAsync(ClusterId);
        await Table.InitializeMembershipTableAsync(true);

        var data = await Table.ReadAllAsync();
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.False(await Table.InsertRowAsync(New(), version.Next()), "a version read before the deletion must not match after it");
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_removes_old_dead_rows_and_keeps_active_and_recent_ones()
    {
        var old = Now.AddDays(-10);
        var oldByStatus = Enum.GetValues<SiloStatus>().ToDictionary(status => status, status => New(status, old));
        var recentDead = New(SiloStatus.Dead, Now);
        var version = (await Table.ReadAllAsync()).Version;
        foreach (var entry in oldByStatus.Values.Append(recentDead))
        {
            Assert.True(await Table.InsertRowAsync(entry, version.Next()));
            version = (await Table.ReadAllAsync()).Version;
        }

        var otherId = ClusterId + "-other";
        var other = CreateTable(otherId);
        await other.InitializeMembershipTableAsync(true);
        var otherOldDead = New(SiloStatus.Dead, old);
        Assert.True(await other.InsertRowAsync(otherOldDead, (await other.ReadAllAsync()).Version.Next()));

        try
        {
            await Table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddDays(-3)));

            var left = (await Table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress);
            // Old rows of the other statuses that are not Active go too where the provider says so.
            var kept = oldByStatus
                .Where(pair => pair.Key == SiloStatus.Active || (pair.Key != SiloStatus.Dead && !Has(MembershipTableTraits.CleanupOfEveryInactiveStatus)))
                .Select(pair => pair.Value.SiloAddress)
                .Append(recentDead.SiloAddress);
            AssertSameSilos(kept, left);
            Assert.Single((await other.ReadAllAsync()).Members);
        }
        finally
        {
            await other.DeleteMembershipTableEntriesAsync(otherId);
        }
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_keeps_a_dead_row_with_a_recent_start_or_a_recent_death_vote()
    {
        var old = Now.AddDays(-10);
        var startedRecently = New(SiloStatus.Dead, old);
        startedRecently.StartTime = Now;
        var votedRecently = New(SiloStatus.Dead, old);
        votedRecently.StartTime = old;
        var defunct = New(SiloStatus.Dead, old);
        defunct.StartTime = old;
        foreach (var entry in new[] { startedRecently, votedRecently, defunct })
        {
            Assert.True(await Table.InsertRowAsync(entry, (await Table.ReadAllAsync()).Version.Next()));
        }
        // Votes come with an update, as in the protocol (a silo joins with none).
        foreach (var (entry, lastVote) in new[] { (votedRecently, Now), (defunct, old.AddHours(1)) })
        {
            var read = await Table.ReadRowAsync(entry.SiloAddress);
            var voted = read.Members[0].Item1;
            voted.SuspectTimes = [Tuple.Create(NewSiloAddress(), old), Tuple.Create(NewSiloAddress(), lastVote)];
            Assert.True(await Table.UpdateRowAsync(voted, read.Members[0].Item2, read.Version.Next()));
        }
        var version = (await Table.ReadAllAsync()).Version;

        await Table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddDays(-1)));

        var left = await Table.ReadAllAsync();
        AssertSameSilos([startedRecently.SiloAddress, votedRecently.SiloAddress], left.Members.Select(m => m.Item1.SiloAddress));
        Assert.Equal(version, left.Version);
    }

    [Fact]
    public async Task GetGateways_lists_active_silos_with_a_proxy_port_at_that_port()
    {
        var gateway = New(SiloStatus.Active);
        var noProxy = New(SiloStatus.Active);
        noProxy.ProxyPort = 0;
        var version = (await Table.ReadAllAsync()).Version;
        foreach (var entry in new[] { gateway, noProxy, New(SiloStatus.Joining), New(SiloStatus.ShuttingDown), New(SiloStatus.Dead) })
        {
            Assert.True(await Table.InsertRowAsync(entry, version.Next()));
            version = (await Table.ReadAllAsync()).Version;
        }

        var otherId = ClusterId + "-other";
        var other = CreateTable(otherId);
        await other.InitializeMembershipTableAsync(true);
        Assert.True(await other.InsertRowAsync(New(SiloStatus.Active), (await other.ReadAllAsync()).Version.Next()));

        try
        {
            var provider = CreateGatewayListProvider(ClusterId, TimeSpan.FromSeconds(7));
            await provider.InitializeGatewayListProviderAsync();

            var gateways = await provider.GetGatewaysAsync();

            var expected = SiloAddress.New(new IPEndPoint(gateway.SiloAddress.Endpoint.Address, gateway.ProxyPort), gateway.SiloAddress.Generation);
            Assert.Equal([expected.ToGatewayUri()], gateways);
            Assert.Equal(TimeSpan.FromSeconds(7), provider.MaxStaleness);
        }
        finally
        {
            await other.DeleteMembershipTableEntriesAsync(otherId);
        }
    }

    [Fact]
    public async Task Many_instances_initializing_a_new_cluster_at_once_create_one_version_row()
    {
        var clusterId = ClusterId + "-fresh";
        var tables = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateTable(clusterId)).ToArray();
        try
        {
            await RaceAsync(tables, async table =>
            {
                await table.InitializeMembershipTableAsync(true);
                return true;
            });

            var versions = await Task.WhenAll(tables.Select(table => table.ReadAllAsync()));
            Assert.All(versions, data => Assert.Empty(data.Members));
            Assert.Single(versions.Select(data => data.Version).Distinct());
            Assert.Equal(0, versions[0].Version.Version);
        }
        finally
        {
            await tables[0].DeleteMembershipTableEntriesAsync(clusterId);
        }
    }

    [Fact]
    public async Task Racing_InsertRow_on_one_version_has_exactly_one_winner_per_version()
    {
        var tables = await InitializedTablesAsync();
        var inserted = new List<MembershipEntry>();
        for (var round = 1; round <= 5; round++)
        {
            var version = (await Table.ReadAllAsync()).Version;
            var entries = tables.Select(_ => New()).ToArray();

            var results = await RaceAsync(tables, (table, i) => table.InsertRowAsync(entries[i], version.Next()));

            var winner = Assert.Single(Enumerable.Range(0, tables.Length), i => results[i]);
            inserted.Add(entries[winner]);
            var data = await Table.ReadAllAsync();
            Assert.Equal(version.Version + 1, data.Version.Version);
            AssertSameSilos(inserted.Select(e => e.SiloAddress), data.Members.Select(m => m.Item1.SiloAddress));
        }
    }

    [Fact]
    public async Task Racing_read_modify_UpdateRow_loops_produce_every_version_once_and_lose_no_update()
    {
        const int updatesPerWriter = 5;
        var tables = await InitializedTablesAsync();
        var shared = New(SiloStatus.Active);
        Assert.True(await Table.InsertRowAsync(shared, (await Table.ReadAllAsync()).Version.Next()));
        var startVersion = (await Table.ReadAllAsync()).Version.Version;
        var won = new ConcurrentBag<int>();

        await RaceAsync(tables, async (table, writer) =>
        {
            var voter = NewSiloAddress(40000 + writer);
            for (var successes = 0; successes < updatesPerWriter;)
            {
                var read = await table.ReadRowAsync(shared.SiloAddress);
                var (entry, etag) = read.Members[0];
                (entry.SuspectTimes ??= []).Add(Tuple.Create(voter, Now.AddSeconds(successes)));
                var next = read.Version.Next();
                if (await table.UpdateRowAsync(entry, etag, next))
                {
                    won.Add(next.Version);
                    successes++;
                }
            }

            return true;
        });

        var total = tables.Length * updatesPerWriter;
        Assert.Equal(Enumerable.Range(startVersion + 1, total), won.Order());
        var final = await Table.ReadRowAsync(shared.SiloAddress);
        Assert.Equal(startVersion + total, final.Version.Version);
        var votes = final.Members[0].Item1.SuspectTimes!;
        Assert.Equal(total, votes.Count);
        Assert.All(votes.GroupBy(v => v.Item1), byVoter => Assert.Equal(updatesPerWriter, byVoter.Count()));
    }

    protected bool Has(MembershipTableTraits trait) => (Traits & trait) == trait;

    /// <summary>What the provider keeps of an entry it inserted (<see cref="MembershipTableTraits.WholeEntries"/>).</summary>
    protected MembershipEntry Inserted(MembershipEntry written)
    {
        ArgumentNullException.ThrowIfNull(written);
        if (Has(MembershipTableTraits.WholeEntries))
        {
            return written;
        }
        return new MembershipEntry
        {
            SiloAddress = written.SiloAddress,
            Status = written.Status,
            ProxyPort = written.ProxyPort,
            HostName = written.HostName,
            SiloName = written.SiloName,
            StartTime = written.StartTime,
            IAmAliveTime = written.IAmAliveTime,
            SuspectTimes = [],
        };
    }

    /// <summary>What the provider keeps when <paramref name="written"/> replaces a row that held <paramref name="previous"/>.</summary>
    protected MembershipEntry Updated(MembershipEntry written, MembershipEntry previous)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(previous);
        if (Has(MembershipTableTraits.WholeEntries))
        {
            return written;
        }
        return new MembershipEntry
        {
            SiloAddress = previous.SiloAddress,
            Status = written.Status,
            ProxyPort = previous.ProxyPort,
            HostName = previous.HostName,
            SiloName = previous.SiloName,
            RoleName = previous.RoleName,
            UpdateZone = previous.UpdateZone,
            FaultZone = previous.FaultZone,
            StartTime = previous.StartTime,
            IAmAliveTime = written.IAmAliveTime,
            SuspectTimes = written.SuspectTimes,
        };
    }

    private static void AssertSameSilos(IEnumerable<SiloAddress> expected, IEnumerable<SiloAddress> actual) =>
        Assert.Equal(expected.Select(a => a.ToParsableString()).Order(), actual.Select(a => a.ToParsableString()).Order());

    private async Task<IMembershipTable[]> InitializedTablesAsync()
    {
        var tables = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateTable(ClusterId)).ToArray();
        foreach (var table in tables)
        {
            await table.InitializeMembershipTableAsync(true);
        }

        return tables;
    }

    private static Task<bool[]> RaceAsync(IMembershipTable[] tables, Func<IMembershipTable, Task<bool>> run) =>
        RaceAsync(tables, (table, _) => run(table));

    /// <summary>Starts every racer on its own thread-pool thread at one signal, so they truly overlap.</summary>
    private static async Task<bool[]> RaceAsync(IMembershipTable[] tables, Func<IMembershipTable, int, Task<bool>> run)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = tables.Select((table, i) => Task.Run(async () =>
        {
            await start.Task;
            return await run(table, i);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
