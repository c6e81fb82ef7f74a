using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Tests.MembershipService;

public sealed class MembershipTableOptionsTests
{
    [Fact]
    public void A_cluster_id_is_required()
    {
        var error = Assert.Throws<ArgumentException>(() => new InMemoryMembershipTableOptions { ClusterId = " " }.Validate());
        Assert.Contains("ClusterId", error.Message);
    }

    [Fact]
    public void Sqlite_needs_a_file_in_an_existing_directory()
    {
        Assert.Contains("FilePath is required", Assert.Throws<ArgumentException>(() => new SqliteMembershipTableOptions().Validate()).Message);
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "m.db");
        Assert.Contains("does not exist", Assert.Throws<ArgumentException>(() => new SqliteMembershipTableOptions { FilePath = missing }.Validate()).Message);
        new SqliteMembershipTableOptions { FilePath = Path.Combine(Path.GetTempPath(), "m.db") }.Validate();
    }

    [Fact]
    public void Postgres_needs_a_connection_string_with_a_host()
    {
        Assert.Contains("ConnectionString is required", Assert.Throws<ArgumentException>(() => new PostgresMembershipTableOptions().Validate()).Message);
        Assert.Contains("names no Host", Assert.Throws<ArgumentException>(() => new PostgresMembershipTableOptions { ConnectionString = "Username=x" }.Validate()).Message);
        Assert.Contains("not a valid", Assert.Throws<ArgumentException>(() => new PostgresMembershipTableOptions { ConnectionString = "Nonsense=1" }.Validate()).Message);
        new PostgresMembershipTableOptions { ConnectionString = "Host=127.0.0.1;Username=postgres" }.Validate();
    }
}
