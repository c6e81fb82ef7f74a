using System.Net;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Tests;

/// <summary>Membership entries for tests: every field set to a distinct value, so a column that is lost or swapped shows.</summary>
public static class MembershipEntries
{
    /// <summary>A fixed instant on whole seconds: any provider's time precision keeps it exactly.</summary>
    public static readonly DateTime Now = new(2026, 3, 14, 15, 9, 26, DateTimeKind.Utc);

    private static int _generation = 1_000;

    public static SiloAddress NewSiloAddress(int port = 11111) =>
        SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), Interlocked.Increment(ref _generation));

    public static MembershipEntry New(SiloStatus status = SiloStatus.Joining, DateTime? time = null)
    {
        var address = NewSiloAddress();
        var at = time ?? Now;
        return new MembershipEntry
        {
            SiloAddress = address,
            Status = status,
            ProxyPort = 30000 + (address.Generation % 1000),
            HostName = "host-" + address.Generation,
            SiloName = "silo-" + address.Generation,
            RoleName = "role-" + address.Generation,
            UpdateZone = 3,
            FaultZone = 7,
            StartTime = at.AddMinutes(-1),
            IAmAliveTime = at,
            SuspectTimes = [],
        };
    }

    public static void AssertSame(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.SiloAddress.Generation, actual.SiloAddress.Generation);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.RoleName, actual.RoleName);
        Assert.Equal(expected.UpdateZone, actual.UpdateZone);
        Assert.Equal(expected.FaultZone, actual.FaultZone);
        Assert.Equal(expected.StartTime.ToUniversalTime(), actual.StartTime.ToUniversalTime());
        Assert.Equal(expected.IAmAliveTime.ToUniversalTime(), actual.IAmAliveTime.ToUniversalTime());
        AssertSameVotes(expected.SuspectTimes ?? [], actual.SuspectTimes ?? []);
    }

    public static void AssertSameVotes(IReadOnlyList<Tuple<SiloAddress, DateTime>> expected, IReadOnlyList<Tuple<SiloAddress, DateTime>> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Item1, actual[i].Item1);
            Assert.Equal(expected[i].Item2.ToUniversalTime(), actual[i].Item2.ToUniversalTime());
        }
    }
}
