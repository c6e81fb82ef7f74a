using Orleans;

namespace MigrationCluster.Clustering.Tests;

/// <summary>Two silos and a client whose only shared state is one SQLite membership file.</summary>
public sealed class SqliteTwoSiloClusterTests : TwoSiloClusterTests
{
    private readonly TempSqliteFile _file = new();

    protected override IReadOnlyDictionary<string, string?> ClusteringSettings => new Dictionary<string, string?>
    {
        ["Orleans:Clustering:ProviderType"] = "Sqlite",
        ["Orleans:Clustering:FilePath"] = _file.Path,
    };

    protected override IMembershipTable CreateTable() => SqliteMembershipTableTests.CreateTable(_file.Path, ClusterId);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _file.Dispose();
    }
}
