using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Tests.MembershipService;

public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    private readonly InMemoryMembershipStore _store = new();

    protected override Task<IMembershipTable> CreateTableAsync(string clusterId) =>
        Task.FromResult<IMembershipTable>(new InMemoryMembershipTable(new InMemoryMembershipTableOptions { ClusterId = clusterId }, _store));

    [Fact]
    public async Task A_table_hands_out_copies_so_callers_cannot_change_stored_rows()
    {
        var table = await NewTableAsync();
        var entry = NewEntry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));

        entry.Status = SiloStatus.Dead;
        (await table.ReadAll()).Members[0].Entry.Status = SiloStatus.Dead;

        Assert.Equal(SiloStatus.Joining, (await table.ReadAll()).Members[0].Entry.Status);
    }
}
