using MigrationCluster.Cli.Commands;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Silo.Hosting;

namespace MigrationCluster.Cli.Tests.Cluster;

public sealed class ClusterStatusReaderTests : IDisposable
{
    private readonly TempDirectory _stateDir = new();

    public void Dispose()
    {
        // Pooled connections keep the database file open.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _stateDir.Dispose();
    }

    [Fact]
    public async Task A_table_whose_first_silo_has_created_the_schema_but_not_yet_the_version_row_reads_as_no_members()
    {
        // The window `cluster start` polls through: the first silo has run CREATE TABLE and not yet inserted version 0.
        var state = new LocalClusterState(_stateDir.Path);
        state.EnsureCreated();
        var table = new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = state.MembershipFile, ClusterId = LocalClusterState.ClusterId });
        await table.InitializeMembershipTable(tryInitTableVersion: false);

        Assert.Empty(await ClusterStatusReader.ReadAsync(state));

        // And the silo that then initialises the version row and joins is not disturbed by the reader having been there.
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var data = await table.ReadAll();
        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
    }
}
