namespace MigrationCluster.Runtime.MembershipService;

/// <summary>One silo's row in the membership table (Orleans' fields).</summary>
public sealed class MembershipEntry
{
    public required SiloAddress SiloAddress { get; set; }

    public SiloStatus Status { get; set; }

    public string SiloName { get; set; } = "";

    public string HostName { get; set; } = "";

    public int ProcessId { get; set; }

    /// <summary>The port clients use to reach this silo (0 when it takes no clients).</summary>
    public int ProxyPort { get; set; }

    public DateTimeOffset StartTime { get; set; }

    /// <summary>The silo's last heartbeat; <see cref="IMembershipTable.UpdateIAmAlive"/> writes it without a version bump.</summary>
    public DateTimeOffset IAmAliveTime { get; set; }

    public IList<SuspectTime> SuspectTimes { get; set; } = [];

    /// <summary>A deep copy, so that tables never share mutable state with their callers.</summary>
    public MembershipEntry Clone() => new()
    {
        SiloAddress = SiloAddress,
        Status = Status,
        SiloName = SiloName,
        HostName = HostName,
        ProcessId = ProcessId,
        ProxyPort = ProxyPort,
        StartTime = StartTime,
        IAmAliveTime = IAmAliveTime,
        SuspectTimes = [.. SuspectTimes],
    };

    public override string ToString() => $"{SiloAddress} {SiloName} {Status}";
}
