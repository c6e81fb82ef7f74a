using Microsoft.Data.Sqlite;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Tests.MembershipService;

public sealed class SqliteMembershipTableTests : MembershipTableContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mc-membership-").FullName;

    private string FilePath => Path.Combine(_directory, "membership.db");

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId) =>
        Task.FromResult<IMembershipTable>(new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = FilePath, ClusterId = clusterId }));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_file_is_in_WAL_mode()
    {
        await NewTableAsync();

        await using var connection = new SqliteConnection($"Data Source={FilePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Two_tables_on_the_same_file_see_each_others_writes()
    {
        var first = await NewTableAsync();
        var second = new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = FilePath, ClusterId = ClusterId, BusyTimeout = TimeSpan.FromSeconds(30) });
        await second.InitializeMembershipTable(tryInitTableVersion: true);
        var entry = NewEntry(11111, SiloStatus.Joining);

        Assert.True(await first.InsertRow(entry, (await second.ReadAll()).Version.Next()));
        var seen = await second.ReadAll();
        var (read, etag) = Assert.Single(seen.Members);
        read.Status = SiloStatus.Active;
        Assert.True(await second.UpdateRow(read, etag, seen.Version.Next()));

        // The first table's view is stale now.
        Assert.False(await first.UpdateRow(entry, etag, seen.Version.Next()));
        Assert.Equal(SiloStatus.Active, Assert.Single((await first.ReadAll()).Members).Entry.Status);
    }

    [Fact]
    public async Task Separate_tables_on_one_file_race_with_exactly_one_winner_per_version()
    {
        // Four tables, as four silo processes would have: each write runs on its own
        // connection, and only the file's locks serialize the writers.
        var tables = Enumerable.Range(0, 4)
            .Select(_ => new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = FilePath, ClusterId = ClusterId }))
            .ToList();
        await tables[0].InitializeMembershipTable(tryInitTableVersion: true);
        var entry = NewEntry(11111);
        Assert.True(await tables[0].InsertRow(entry, (await tables[0].ReadAll()).Version.Next()));

        for (var round = 0; round < 3; round++)
        {
            var data = await tables[round % tables.Count].ReadAll();
            var (read, etag) = Assert.Single(data.Members);
            using var start = new ManualResetEventSlim();
            var attempts = tables.Select((table, i) => Task.Run(async () =>
            {
                start.Wait();
                var mine = read.Clone();
                mine.ProcessId = 100 * round + i;
                return (i, won: await table.UpdateRow(mine, etag, data.Version.Next()));
            })).ToList();
            start.Set();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, r => r.won);
            var after = await tables[0].ReadAll();
            Assert.Equal(data.Version.Version + 1, after.Version.Version);
            Assert.Equal(100 * round + winner.i, Assert.Single(after.Members).Entry.ProcessId);
        }
    }
}
