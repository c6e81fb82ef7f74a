using System.Net;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using Microsoft.Extensions.Logging.Abstractions;

namespace MigrationCluster.Runtime.Tests.MembershipService;

public sealed class DefunctSiloCleanupTests
{
    private static MembershipEntry Row(int port, SiloStatus status, DateTimeOffset aliveAt) => new()
    {
        SiloAddress = new SiloAddress(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        SiloName = $"silo-{port}",
        HostName = "host",
        ProcessId = 1,
        ProxyPort = port,
        StartTime = aliveAt,
        IAmAliveTime = aliveAt,
    };

    [Fact]
    public async Task An_active_silo_deletes_the_rows_of_silos_gone_longer_than_the_expiration_and_keeps_the_rest()
    {
        var table = new InMemoryMembershipTable(new InMemoryMembershipTableOptions { ClusterId = "cleanup" }, new InMemoryMembershipStore());
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var now = DateTimeOffset.UtcNow;
        var longGone = Row(30001, SiloStatus.Dead, now - TimeSpan.FromDays(30));
        var recentlyDead = Row(30002, SiloStatus.Dead, now - TimeSpan.FromMinutes(5));
        var quietButActive = Row(30003, SiloStatus.Active, now - TimeSpan.FromDays(30));
        foreach (var row in new[] { longGone, recentlyDead, quietButActive })
        {
            Assert.True(await table.InsertRow(row, (await table.ReadAll()).Version.Next()));
        }

        var options = new ClusterMembershipOptions
        {
            DefunctSiloCleanupPeriod = TimeSpan.FromMilliseconds(50),
            DefunctSiloExpiration = TimeSpan.FromDays(1),
        };
        var self = new SiloAddress(new IPEndPoint(IPAddress.Loopback, 30010), 1);
        await using var agent = new MembershipAgent(table, options, self, "self", (_, _, _) => Task.CompletedTask, TimeProvider.System, NullLogger.Instance);
        await agent.JoinAsync(CancellationToken.None);

        for (var i = 0; i < 200 && (await table.ReadAll()).Members.Any(m => m.Entry.SiloAddress.Equals(longGone.SiloAddress)); i++)
        {
            await Task.Delay(25);
        }
        var left = (await table.ReadAll()).Members.Select(m => m.Entry.SiloAddress).ToHashSet();
        Assert.DoesNotContain(longGone.SiloAddress, left);
        Assert.Contains(recentlyDead.SiloAddress, left);   // younger than the expiration
        Assert.Contains(quietButActive.SiloAddress, left); // Active rows are never cleaned up
        Assert.Contains(self, left);
    }

    [Fact]
    public void Cleanup_options_are_validated_and_the_cleanup_can_be_turned_off()
    {
        Assert.Equal(TimeSpan.FromHours(1), new ClusterMembershipOptions().DefunctSiloCleanupPeriod);
        Assert.Equal(TimeSpan.FromDays(7), new ClusterMembershipOptions().DefunctSiloExpiration);
        new ClusterMembershipOptions { DefunctSiloCleanupPeriod = null }.Validate();
        var error = Assert.Throws<OptionsValidationException>(() => new ClusterMembershipOptions { DefunctSiloCleanupPeriod = TimeSpan.Zero }.Validate());
        Assert.Contains(nameof(ClusterMembershipOptions.DefunctSiloCleanupPeriod), error.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => new ClusterMembershipOptions { DefunctSiloExpiration = TimeSpan.FromSeconds(-1) }.Validate());
    }
}
