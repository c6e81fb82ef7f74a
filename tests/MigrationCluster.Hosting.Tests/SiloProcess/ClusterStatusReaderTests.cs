using MigrationCluster.Clustering.Sqlite;
using MigrationCluster.Hosting.SiloProcess;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using MigrationCluster.Cli.Tests;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

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
        // The window `cluster start` polls through: the first silo has created the schema and not yet inserted version 0.
        var state = new LocalClusterState(_stateDir.Path);
        state.EnsureCreated();
        IMembershipTable table = new SqliteMembershipTable(
            Options.Create(new SqliteClusteringOptions { FilePath = state.MembershipFile }),
            Options.Create(new ClusterOptions { ClusterId = LocalClusterState.ClusterId, ServiceId = "test" }));
        await table.InitializeMembershipTableAsync(tryInitTableVersion: false, CancellationToken.None);

        Assert.Empty(await ClusterStatusReader.ReadAsync(state));

        // And the silo that then initialises the version row and joins is not disturbed by the reader having been there.
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None);
        var data = await table.ReadAllAsync(CancellationToken.None);
        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
    }
}
