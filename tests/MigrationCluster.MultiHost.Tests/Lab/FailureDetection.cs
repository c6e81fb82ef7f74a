namespace MigrationCluster.MultiHost.Tests.Lab;

/// <summary>
/// Orleans' failure detection as the lab's silos run it (Silo:ProbeTimeout and so on), and the
/// bounds the tests hold them to. <see cref="Fast"/> by default; the environment variable
/// <see cref="Variable"/> = <c>orleans-defaults</c> runs the same tests with Orleans' production
/// defaults, to measure them.
/// </summary>
internal sealed record FailureDetection(string Name, TimeSpan ProbeTimeout, int NumMissedProbesLimit, int NumVotesForDeathDeclaration, TimeSpan IAmAliveTablePublishTimeout, TimeSpan TableRefreshTimeout)
{
    public const string Variable = "MIGRATIONCLUSTER_MULTIHOST_DETECTION";

    /// <summary>
    /// Suspected after 3 missed 2-second probes, dead on both survivors' votes. (1-second probes
    /// had healthy silos declared dead while three of them started at once on a loaded 2-core machine.)
    /// </summary>
    public static readonly FailureDetection Fast = new("fast", TimeSpan.FromSeconds(2), 3, 2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3));

    /// <summary>Orleans' own (ClusterMembershipOptions' defaults, which a silo process keeps unless told).</summary>
    public static readonly FailureDetection OrleansDefaults = new("orleans-defaults", TimeSpan.FromSeconds(5), 3, 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));

    public static FailureDetection Current => Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" or "fast" => Fast,
        "orleans-defaults" => OrleansDefaults,
        var other => throw new InvalidOperationException($"{Variable} must be fast or orleans-defaults (was '{other}')"),
    };

    /// <summary>
    /// How long the survivors may take to declare a cut-off silo dead: its missed probes and one
    /// more probe round for the second vote, twice over (a loaded 2-core machine runs probes late:
    /// 24 s was measured with 2-second probes at load average 50), a table refresh, and slack.
    /// </summary>
    public TimeSpan DeathBound => ProbeTimeout * (NumMissedProbesLimit + 2) * 2 + TableRefreshTimeout + TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the membership database stays cut off in its test: longer than the survivors took
    /// to declare a cut-off silo dead (about 25 s with <see cref="Fast"/>), so a death that should
    /// not happen would have happened.
    /// </summary>
    public TimeSpan DatabaseCutDuration => ProbeTimeout * (NumMissedProbesLimit + 2) * 3;

    /// <summary>How long a healed silo that was declared dead may take to read that and stop itself.</summary>
    public TimeSpan SelfStopBound => TableRefreshTimeout * 2 + ProbeTimeout * 2 + TimeSpan.FromSeconds(20);

    public IEnumerable<string> SiloArguments() =>
    [
        "--Silo:ProbeTimeout", ProbeTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        "--Silo:NumMissedProbesLimit", NumMissedProbesLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--Silo:NumVotesForDeathDeclaration", NumVotesForDeathDeclaration.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--Silo:IAmAliveTablePublishTimeout", IAmAliveTablePublishTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        "--Silo:TableRefreshTimeout", TableRefreshTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    ];
}
